#include "agent/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nodeprobe {
namespace {

TEST(FormatValue, MatchesGoShortestG) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(1), "1");
  EXPECT_EQ(format_value(0.26), "0.26");
  EXPECT_EQ(format_value(269364), "269364");
  EXPECT_EQ(format_value(2466170), "2.46617e+06");
  EXPECT_EQ(format_value(1795293485), "1.795293485e+09");
  EXPECT_EQ(format_value(3.3481419999999997), "3.3481419999999997");
  EXPECT_EQ(format_value(3.3463e-05), "3.3463e-05");
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(-2.5), "-2.5");
  EXPECT_EQ(format_value(1.8446744073709552e19), "1.8446744073709552e+19");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(Names, Validation) {
  EXPECT_TRUE(valid_metric_name("node_cpu_seconds_total"));
  EXPECT_TRUE(valid_metric_name("a:b"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("1abc"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_TRUE(valid_label_name("_x1"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name(""));
}

TEST(SanitizeUtf8, ReplacesInvalidBytes) {
  EXPECT_EQ(sanitize_utf8("plain"), "plain");
  EXPECT_EQ(sanitize_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(sanitize_utf8("a\xFF"
                          "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitize_utf8("\xC3"), "\xEF\xBF\xBD");                  // truncated sequence
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
}

TEST(RenderFamilies, SortsEscapesAndDropsInvalid) {
  MetricSink sink;
  sink.gauge("b_metric", "Help with \\ and\nnewline.", 2, {{"z", "1"}, {"a", "q\"uote\\\n"}});
  sink.gauge("b_metric", "ignored", 1, {{"a", "0"}, {"z", "0"}});
  sink.counter("a_total", "First.", 5);
  sink.gauge("bad-name", "x", 1);
  sink.gauge("c_metric", "x", 1, {{"__reserved", "1"}});
  sink.gauge("d_metric", "dup", 1, {{"x", "1"}});
  sink.gauge("d_metric", "dup", 2, {{"x", "1"}});
  std::vector<std::string> problems;
  auto rendered = render_families(sink.take(), &problems);
  std::string text;
  for (const auto& f : rendered) text += f.text;
  EXPECT_EQ(text,
            "# HELP a_total First.\n"
            "# TYPE a_total counter\n"
            "a_total 5\n"
            "# HELP b_metric Help with \\\\ and\\nnewline.\n"
            "# TYPE b_metric gauge\n"
            "b_metric{a=\"0\",z=\"0\"} 1\n"
            "b_metric{a=\"q\\\"uote\\\\\\n\",z=\"1\"} 2\n"
            "# HELP d_metric dup\n"
            "# TYPE d_metric gauge\n"
            "d_metric{x=\"1\"} 1\n");
  EXPECT_EQ(problems.size(), 3u);
}

TEST(RenderFamilies, HistogramGetsInfBucketAndExactSumCount) {
  MetricSink sink;
  HistogramValue h;
  h.buckets = {{0.5, 2}, {0.001, 1}};
  h.sum = 0.75;
  h.count = 4;
  sink.histogram("lat_seconds", "Latency.", h, {{"dev", "sda"}});
  auto rendered = render_families(sink.take(), nullptr);
  ASSERT_EQ(rendered.size(), 1u);
  EXPECT_EQ(rendered[0].text,
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{dev=\"sda\",le=\"0.001\"} 1\n"
            "lat_seconds_bucket{dev=\"sda\",le=\"0.5\"} 3\n"
            "lat_seconds_bucket{dev=\"sda\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{dev=\"sda\"} 0.75\n"
            "lat_seconds_count{dev=\"sda\"} 4\n");
}

TEST(RenderFamilies, TypeConflictWithinCollectorIsDropped) {
  MetricSink sink;
  sink.gauge("x", "h", 1);
  sink.counter("x", "h", 2);
  EXPECT_EQ(sink.dropped(), 1u);
  auto rendered = render_families(sink.take(), nullptr);
  ASSERT_EQ(rendered.size(), 1u);
  EXPECT_EQ(rendered[0].text, "# HELP x h\n# TYPE x gauge\nx 1\n");
}

TEST(RenderFamilies, EmptyInputAndEmptyFamilies) {
  EXPECT_TRUE(render_families({}, nullptr).empty());
  prometheus::MetricFamily empty{"empty_family", "h", MetricType::Gauge, {}};
  EXPECT_TRUE(render_families({empty}, nullptr).empty());
}

}  // namespace
}  // namespace nodeprobe

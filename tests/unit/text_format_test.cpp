#include "agent/text_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace nodeprobe {
namespace {

using prometheus::MetricType;

// Written the way cron jobs and exporters-by-file write them: leading blanks, comments,
// families without TYPE, escapes, special values, a histogram and a summary with labels.
constexpr std::string_view kRealSample =
    "# A comment that is not HELP or TYPE.\n"
    "# HELP backup_last_success_timestamp_seconds Unixtime of the last backup \\\\ "
    "with\\nnewline.\n"
    "# TYPE backup_last_success_timestamp_seconds gauge\n"
    "backup_last_success_timestamp_seconds{job=\"db\",path=\"C:\\\\dump \\\"x\\\"\\n\"} 1.7e+09\n"
    "\n"
    "   apt_upgrades_pending{arch=\"amd64\",origin=\"Debian:12/stable\"} 3\n"
    "# TYPE smart_errors_total counter\n"
    "smart_errors_total{disk=\"sda\"} +Inf\n"
    "smart_errors_total{disk=\"sdb\"} -Inf\n"
    "smart_errors_total{disk=\"sdc\"} NaN\n"
    "# HELP job_duration_seconds How long the job ran.\n"
    "# TYPE job_duration_seconds histogram\n"
    "job_duration_seconds_bucket{job=\"a\",le=\"0.5\"} 1\n"
    "job_duration_seconds_bucket{job=\"a\",le=\"1\"} 4\n"
    "job_duration_seconds_bucket{job=\"a\",le=\"+Inf\"} 5\n"
    "job_duration_seconds_sum{job=\"a\"} 3.25\n"
    "job_duration_seconds_count{job=\"a\"} 5\n"
    "job_duration_seconds_bucket{job=\"b\",le=\"1\"} 0\n"
    "job_duration_seconds_sum{job=\"b\"} 0\n"
    "job_duration_seconds_count{job=\"b\"} 0\n"
    "# TYPE rpc_latency_seconds summary\n"
    "rpc_latency_seconds{method=\"get\",quantile=\"0.5\"} 0.01\n"
    "rpc_latency_seconds{quantile=\"0.99\",method=\"get\"} 0.2\n"
    "rpc_latency_seconds_sum{method=\"get\"} 12.5\n"
    "rpc_latency_seconds_count{method=\"get\"} 1000\n"
    "\t# TYPE lonely_gauge gauge\n";

TEST(TextFormat, ParsesRealSample) {
  auto r = parse_text_format(kRealSample);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.has_timestamps);
  // Families in order of first appearance; the TYPE'd family without samples is left out.
  ASSERT_EQ(r.families.size(), 5u);
  EXPECT_EQ(r.families[0].name, "backup_last_success_timestamp_seconds");
  EXPECT_EQ(r.families[1].name, "apt_upgrades_pending");
  EXPECT_EQ(r.families[2].name, "smart_errors_total");
  EXPECT_EQ(r.families[3].name, "job_duration_seconds");
  EXPECT_EQ(r.families[4].name, "rpc_latency_seconds");

  const auto& backup = r.families[0];
  EXPECT_EQ(backup.type, MetricType::Gauge);
  EXPECT_EQ(backup.help, "Unixtime of the last backup \\ with\nnewline.");
  ASSERT_EQ(backup.metric.size(), 1u);
  ASSERT_EQ(backup.metric[0].label.size(), 2u);
  EXPECT_EQ(backup.metric[0].label[1].name, "path");
  EXPECT_EQ(backup.metric[0].label[1].value, "C:\\dump \"x\"\n");
  EXPECT_EQ(backup.metric[0].gauge.value, 1.7e9);

  const auto& apt = r.families[1];
  EXPECT_EQ(apt.type, MetricType::Untyped);
  EXPECT_EQ(apt.help, "");
  EXPECT_EQ(apt.metric[0].untyped.value, 3);
  EXPECT_EQ(apt.metric[0].label[1].value, "Debian:12/stable");

  const auto& smart = r.families[2];
  EXPECT_EQ(smart.type, MetricType::Counter);
  ASSERT_EQ(smart.metric.size(), 3u);
  EXPECT_EQ(smart.metric[0].counter.value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(smart.metric[1].counter.value, -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(smart.metric[2].counter.value));

  const auto& hist = r.families[3];
  EXPECT_EQ(hist.type, MetricType::Histogram);
  EXPECT_EQ(hist.help, "How long the job ran.");
  ASSERT_EQ(hist.metric.size(), 2u);
  const auto& a = hist.metric[0];
  ASSERT_EQ(a.label.size(), 1u);  // le is not a label of the metric
  EXPECT_EQ(a.label[0].value, "a");
  ASSERT_EQ(a.histogram.bucket.size(), 3u);
  EXPECT_EQ(a.histogram.bucket[0].upper_bound, 0.5);
  EXPECT_EQ(a.histogram.bucket[0].cumulative_count, 1u);
  EXPECT_EQ(a.histogram.bucket[1].cumulative_count, 4u);
  EXPECT_TRUE(std::isinf(a.histogram.bucket[2].upper_bound));
  EXPECT_EQ(a.histogram.bucket[2].cumulative_count, 5u);
  EXPECT_EQ(a.histogram.sample_sum, 3.25);
  EXPECT_EQ(a.histogram.sample_count, 5u);
  EXPECT_EQ(hist.metric[1].label[0].value, "b");
  EXPECT_EQ(hist.metric[1].histogram.bucket.size(), 1u);

  const auto& summary = r.families[4];
  EXPECT_EQ(summary.type, MetricType::Summary);
  ASSERT_EQ(summary.metric.size(), 1u);  // label order does not split a group
  const auto& s = summary.metric[0].summary;
  ASSERT_EQ(s.quantile.size(), 2u);
  EXPECT_EQ(s.quantile[0].quantile, 0.5);
  EXPECT_EQ(s.quantile[0].value, 0.01);
  EXPECT_EQ(s.quantile[1].quantile, 0.99);
  EXPECT_EQ(s.sample_sum, 12.5);
  EXPECT_EQ(s.sample_count, 1000u);
}

TEST(TextFormat, EmptyAndCommentOnlyInputHaveNoFamilies) {
  for (std::string_view in : {"", "\n\n", "   \t\n", "# just a comment\n#\n# HELP\n# TYPE\n",
                              "# HELP a\n# HELP a   \n# TYPE b gauge\n", "x 1\n   "}) {
    auto r = parse_text_format(in);
    ASSERT_TRUE(r.ok()) << in << ": " << r.error;
    if (in != "x 1\n   ") {
      EXPECT_TRUE(r.families.empty()) << in;
    }
  }
  // "# HELP a" with no text sets no HELP, so a later HELP is not a second one.
  auto r = parse_text_format("# HELP a\n# HELP a real help\na 1\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.families[0].help, "real help");
}

TEST(TextFormat, TruncatedMidLineIsAnError) {
  // Every line needs its '\n', as in Go: a file caught half-written must not be served.
  std::string text(kRealSample);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto r = parse_text_format(std::string_view(text).substr(0, cut));
    bool at_line_start = cut == 0 || text[cut - 1] == '\n';
    bool rest_blank = true;
    for (std::size_t i = cut; i > 0 && text[i - 1] != '\n'; --i) {
      if (text[i - 1] != ' ' && text[i - 1] != '\t') rest_blank = false;
    }
    if (at_line_start || rest_blank) {
      EXPECT_TRUE(r.ok()) << "cut at " << cut << ": " << r.error;
    } else {
      ASSERT_FALSE(r.ok()) << "cut at " << cut;
      EXPECT_TRUE(r.families.empty());
    }
  }
  auto r = parse_text_format("a 1\nb 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, "line 2: unexpected end of input stream");
  EXPECT_EQ(r.error_line, 2u);
}

struct ErrorCase {
  std::string_view input;
  std::size_t line;
  std::string_view message;
};

TEST(TextFormat, RejectsWhatGoRejects) {
  // Messages as Go's expfmt words them (node_exporter 1.5 logs the same text).
  const ErrorCase cases[] = {
      {"# TYPE a gauge\n# TYPE a counter\n", 2,
       "second TYPE line for metric name \"a\", or TYPE reported after samples"},
      {"a 1\n# TYPE a gauge\n", 2,
       "second TYPE line for metric name \"a\", or TYPE reported after samples"},
      {"# TYPE h histogram\n# TYPE h_bucket gauge\n", 2,
       "second TYPE line for metric name \"h\", or TYPE reported after samples"},
      {"# HELP a x\n# HELP a y\n", 2, "second HELP line for metric name \"a\""},
      {"# HELP a tab \\t here\n", 1, "invalid escape sequence '\\t'"},
      {"# HELP a quote \\\" here\n", 1, "invalid escape sequence '\\\"'"},
      {"# HELP a ends in \\\n", 1, "invalid escape sequence '\\' at end of line"},
      {"a{b=\"\\\n", 1, "invalid escape sequence '\\' at end of line"},
      {"# TYPE a nonsense\n", 1, "unknown metric type \"nonsense\""},
      {"# TYPE a gauge \n", 1, "unknown metric type \"gauge \""},
      {"# TYPE a gauge_histogram\n", 1, "unknown metric type \"gauge_histogram\""},
      {"# HELP a-b x\n", 1, "invalid metric name in comment"},
      {"1a 1\n", 1, "invalid metric name"},
      {"{a=\"b\"} 1\n", 1, "invalid metric name"},
      {"a-b 1\n", 1, "expected float as value, got \"-b\""},
      {"a{1b=\"x\"} 1\n", 1, "invalid label name for metric \"a\""},
      {"a{,} 1\n", 1, "invalid label name for metric \"a\""},
      {"a{b} 1\n", 1, "expected '=' after label name, found \"}\""},
      {"a{b\n", 1, "expected '=' after label name, found \"\\n\""},
      {"a{b=x} 1\n", 1, "expected '\"' at start of label value, found \"x\""},
      {"a{b=\"x\" c=\"y\"} 1\n", 1, "unexpected end of label value \"x\""},
      {"a{b=\"x} 1\n", 1, "label value \"x} 1\" contains unescaped new-line"},
      {"a{b=\"\\x\"} 1\n", 1, "invalid escape sequence '\\x'"},
      {"a{__name__=\"x\"} 1\n", 1, "label name \"__name__\" is reserved"},
      {"a{b=\"1\",c=\"2\",b=\"3\"} 1\n", 1, "duplicate label names for metric \"a\""},
      {"a{b=\"\xff\"} 1\n", 1, "invalid label value \"\\xff\""},
      {"a\n", 1, "expected float as value, got \"\""},
      {"a{b=\"1\"}\n", 1, "expected float as value, got \"\""},
      {"a one\n", 1, "expected float as value, got \"one\""},
      {"a 0x10\n", 1, "expected float as value, got \"0x10\""},
      {"a 0x1p3\n", 1, "expected float as value, got \"0x1p3\""},
      {"a 1_000\n", 1, "expected float as value, got \"1_000\""},
      {"a 1e400\n", 1, "expected float as value, got \"1e400\""},
      {"a +NaN\n", 1, "expected float as value, got \"+NaN\""},
      {"a nan(1)\n", 1, "expected float as value, got \"nan(1)\""},
      {"a 1.2.3\n", 1, "expected float as value, got \"1.2.3\""},
      {"a 1e\n", 1, "expected float as value, got \"1e\""},
      {"a .\n", 1, "expected float as value, got \".\""},
      {"a 1\r\n", 1, "expected float as value, got \"1\\r\""},
      {"a 1 \n", 1, "expected integer as timestamp, got \"\""},
      {"a 1 12.5\n", 1, "expected integer as timestamp, got \"12.5\""},
      {"a 1 99999999999999999999\n", 1,
       "expected integer as timestamp, got \"99999999999999999999\""},
      {"a 1 123 x\n", 1, "spurious string after timestamp: \" x\""},
      {"ok 1\n# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 3,
       "expected float as value for 'le' label, got \"x\""},
      {"# TYPE s summary\ns{quantile=\"\"} 1\n", 2,
       "expected float as value for 'quantile' label, got \"\""},
      {"# TYPE s summary\ns{quantile=\"NaN\"} 1\n", 2,
       "expected float as value for 'quantile' label, got \"NaN\""},
  };
  for (const auto& c : cases) {
    auto r = parse_text_format(c.input);
    ASSERT_FALSE(r.ok()) << c.input;
    EXPECT_EQ(r.error, "line " + std::to_string(c.line) + ": " + std::string(c.message)) << c.input;
    EXPECT_EQ(r.error_line, c.line) << c.input;
    EXPECT_TRUE(r.families.empty()) << c.input;
  }
}

TEST(TextFormat, ValuesAsGoParsesThem) {
  auto r = parse_text_format(
      "a 1E3\nb .5\nc 5.\nd -0\ne Inf\nf -inf\ng +Infinity\nh nan\ni 1e-400\nj +7\n"
      "k 1.8446744073709552e+19\n");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.families.size(), 11u);
  auto v = [&](std::size_t i) { return r.families[i].metric[0].untyped.value; };
  EXPECT_EQ(v(0), 1000);
  EXPECT_EQ(v(1), 0.5);
  EXPECT_EQ(v(2), 5);
  EXPECT_EQ(v(3), 0);
  EXPECT_TRUE(std::signbit(v(3)));
  EXPECT_EQ(v(4), std::numeric_limits<double>::infinity());
  EXPECT_EQ(v(5), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(v(6), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(v(7)));
  EXPECT_EQ(v(8), 0);  // underflow rounds to zero, as strconv.ParseFloat does
  EXPECT_EQ(v(9), 7);
  EXPECT_EQ(v(10), 1.8446744073709552e19);
}

TEST(TextFormat, LabelSyntaxGoAccepts) {
  // Blanks around everything, a trailing comma, no blank before the value, an empty label set.
  auto r = parse_text_format("a { b = \"1\" , } 2\nc{d=\"\",}3\ne{} 4\n");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.families.size(), 3u);
  EXPECT_EQ(r.families[0].metric[0].label[0].name, "b");
  EXPECT_EQ(r.families[0].metric[0].label[0].value, "1");
  EXPECT_EQ(r.families[0].metric[0].untyped.value, 2);
  EXPECT_EQ(r.families[1].metric[0].untyped.value, 3);
  EXPECT_TRUE(r.families[2].metric[0].label.empty());
}

TEST(TextFormat, TimestampsAreKeptAndFlagged) {
  auto r = parse_text_format("a 1\nb 2 1700000000000\nc 3 -5\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.has_timestamps);
  EXPECT_EQ(r.families[1].metric[0].timestamp_ms, 1700000000000);
  EXPECT_EQ(r.families[2].metric[0].timestamp_ms, -5);
  EXPECT_FALSE(parse_text_format("a 1\n").has_timestamps);
}

TEST(TextFormat, SamplesOfAFamilyMayBeInterleaved) {
  auto r = parse_text_format("a 1\nb 2\na{x=\"1\"} 3\n");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.families.size(), 2u);
  EXPECT_EQ(r.families[0].metric.size(), 2u);
}

TEST(TextFormat, TypeIsCaseInsensitive) {
  auto r = parse_text_format("# TYPE a GAUGE\na 1\n# TYPE b Counter\nb 1\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.families[0].type, MetricType::Gauge);
  EXPECT_EQ(r.families[1].type, MetricType::Counter);
}

TEST(TextFormat, HistogramAndSummaryGroupingFollowsGo) {
  auto r = parse_text_format(
      // _sum before the TYPE line: its own untyped family, as in Go.
      "h_sum 9\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"+Inf\"} 4\n"
      "h_bucket{le=\"1\"} 1\n"
      "h_bucket{le=\"1\"} 3\n"  // a repeated bound replaces the earlier one
      "h_bucket 7\n"            // no le: ignored, as Go ignores it
      "h_count 3\n"
      "# TYPE s summary\n"
      "# HELP s_count Help given through the _count name.\n"
      "s_count -5\n"  // Go wraps a negative count; it becomes 0 here
      "s{quantile=\"0.5\"} 1\n"
      "s{quantile=\"0.5\"} 2\n"
      "g{le=\"1\",quantile=\"2\"} 1\n");  // le and quantile are plain labels elsewhere
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.families.size(), 4u);
  EXPECT_EQ(r.families[0].name, "h_sum");
  EXPECT_EQ(r.families[0].type, MetricType::Untyped);
  const auto& h = r.families[1];
  ASSERT_EQ(h.metric.size(), 1u);
  ASSERT_EQ(h.metric[0].histogram.bucket.size(), 2u);  // sorted by bound
  EXPECT_EQ(h.metric[0].histogram.bucket[0].upper_bound, 1);
  EXPECT_EQ(h.metric[0].histogram.bucket[0].cumulative_count, 3u);
  EXPECT_EQ(h.metric[0].histogram.bucket[1].cumulative_count, 4u);
  EXPECT_EQ(h.metric[0].histogram.sample_count, 3u);
  EXPECT_EQ(h.metric[0].histogram.sample_sum, 0);
  const auto& s = r.families[2];
  EXPECT_EQ(s.help, "Help given through the _count name.");
  ASSERT_EQ(s.metric.size(), 1u);
  EXPECT_EQ(s.metric[0].summary.sample_count, 0u);
  ASSERT_EQ(s.metric[0].summary.quantile.size(), 1u);
  EXPECT_EQ(s.metric[0].summary.quantile[0].value, 2);
  EXPECT_EQ(r.families[3].metric[0].label.size(), 2u);
}

TEST(TextFormat, OversizedInputIsParsedInFull) {
  // The collector caps a file at 16 MiB; the parser itself is linear and has no limit.
  std::string big = "# TYPE requests_total counter\n";
  constexpr int kSamples = 200000;
  for (int i = 0; i < kSamples; ++i) {
    big += "requests_total{path=\"/p/" + std::to_string(i) + "\",code=\"200\"} " +
           std::to_string(i) + "\n";
  }
  std::string long_value(4 << 20, 'v');
  big += "long_label{v=\"" + long_value + "\"} 1\n";
  auto r = parse_text_format(big);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.families.size(), 2u);
  EXPECT_EQ(r.families[0].metric.size(), static_cast<std::size_t>(kSamples));
  EXPECT_EQ(r.families[0].metric.back().counter.value, kSamples - 1);
  EXPECT_EQ(r.families[1].metric[0].label[0].value.size(), long_value.size());

  // A huge bad token is quoted shortly in the error.
  auto bad = parse_text_format("a " + std::string(1 << 20, 'x') + "\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_LT(bad.error.size(), 200u);
}

TEST(TextFormat, NeverCrashesOnGarbage) {
  std::mt19937 rng(20240601);
  // Random bytes, and random bytes drawn from the format's own alphabet (which get further).
  constexpr std::string_view kAlphabet = "abc_:{}=\",# \t\n\\01.e+-InfNaHELPTYPEgauge le quantile";
  for (int round = 0; round < 4000; ++round) {
    std::string input(rng() % 300, '\0');
    bool structured = round % 2 == 1;
    for (auto& ch : input) {
      ch = structured ? kAlphabet[rng() % kAlphabet.size()] : static_cast<char>(rng() % 256);
    }
    auto r = parse_text_format(input);
    if (!r.ok()) {
      EXPECT_TRUE(r.families.empty());
      EXPECT_GE(r.error_line, 1u);
    }
  }
  // Single-byte mutations of a real file.
  std::string sample(kRealSample);
  for (int round = 0; round < 4000; ++round) {
    std::string mutated = sample;
    mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
    auto r = parse_text_format(mutated);
    if (!r.ok()) {
      EXPECT_TRUE(r.families.empty());
    }
  }
}

}  // namespace
}  // namespace nodeprobe

#include "collectors/vmstat.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;
using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;

using Fields = std::vector<std::pair<std::string_view, double>>;

TEST(ParseVmstat, RealSample) {
  EXPECT_EQ(parse_vmstat("nr_free_pages 704386\n"
                         "pgpgin 41782316\n"
                         "pgfault 2287645930\n"
                         "oom_kill 2\n"
                         "nr_unstable 0\n"),
            (Fields{{"nr_free_pages", 704386},
                    {"pgpgin", 41782316},
                    {"pgfault", 2287645930},
                    {"oom_kill", 2},
                    {"nr_unstable", 0}}));
}

TEST(ParseVmstat, WrappedCounterStaysUnsigned) {
  // The kernel prints unsigned longs; a per-CPU drift below zero shows up wrapped.
  auto fields = parse_vmstat("nr_zone_write_pending 18446744073709551615\n");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].second, 18446744073709551615.0);
}

TEST(ParseVmstat, EmptyAndTruncated) {
  EXPECT_TRUE(parse_vmstat("").empty());
  EXPECT_EQ(parse_vmstat("pgpgin 41782316\npgpgo"), (Fields{{"pgpgin", 41782316}}));
  EXPECT_TRUE(parse_vmstat("pgpgin ").empty());
}

TEST(ParseVmstat, GarbageIsSkipped) {
  EXPECT_EQ(parse_vmstat("\177ELF\x02\x01\x00\xff\xfe\n"
                         "pgfault -1\n"
                         "pgmajfault 1.5\n"
                         "pgpg in 5\n"
                         "pswpin 0x10\n"
                         "pgpgin\n"
                         "pg-fault 3\n"
                         "\xff\xfepgfault 3\n"
                         "oom_kill 7\n"s),
            (Fields{{"oom_kill", 7}}));
}

TEST(ParseVmstat, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i)
    text += "field_" + std::to_string(i) + " " + std::to_string(i) + "\n";
  auto fields = parse_vmstat(text);
  ASSERT_EQ(fields.size(), 100000u);
  EXPECT_EQ(fields.back().first, "field_99999");
}

TEST(VmstatCollector, DefaultFieldsMatchGolden) {
  expect_golden(collect_text("vmstat", fixture_paths("host")), "host/vmstat.golden");
}

TEST(VmstatCollector, CustomFieldsRegex) {
  // Unanchored, as Go's MatchString: "writeback" matches inside the names too.
  expect_golden(collect_text("vmstat", fixture_paths("host"),
                             {"--collector.vmstat.fields=^nr_dirty|writeback|^thp_fault"}),
                "host/vmstat_custom.golden");
}

TEST(VmstatCollector, RegexMatchingNothingEmitsNothing) {
  EXPECT_EQ(collect_text("vmstat", fixture_paths("host"), {"--collector.vmstat.fields=^nope$"}),
            "");
}

TEST(VmstatCollector, InvalidRegexIsAConfigErrorNamingTheFlag) {
  try {
    CollectorHarness("vmstat", fixture_paths("host"), {"--collector.vmstat.fields=^(oom_kill"});
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.vmstat.fields");
    EXPECT_TRUE(std::string(e.what()).starts_with("--collector.vmstat.fields: invalid regex"))
        << e.what();
  }
}

}  // namespace
}  // namespace nodeprobe

#include "collectors/infiniband.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/go_uint.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(InfinibandParsers, State) {
  auto s = parse_infiniband_state("4: ACTIVE\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, 4u);
  EXPECT_EQ(s->name, "ACTIVE");
  EXPECT_EQ(parse_infiniband_state("5: LinkUp")->id, 5u);
  EXPECT_FALSE(parse_infiniband_state(""));
  EXPECT_FALSE(parse_infiniband_state("ACTIVE"));
  EXPECT_FALSE(parse_infiniband_state("4: ACTIVE: really"));
  EXPECT_FALSE(parse_infiniband_state("four: ACTIVE"));
  EXPECT_FALSE(parse_infiniband_state("-1: DOWN"));
  EXPECT_FALSE(parse_infiniband_state("4294967296: DOWN"));
  EXPECT_FALSE(parse_infiniband_state(std::string(100000, '4') + ": DOWN"));
}

TEST(InfinibandParsers, Rate) {
  EXPECT_EQ(parse_infiniband_rate("100 Gb/sec (4X EDR)"), 12500000000u);
  EXPECT_EQ(parse_infiniband_rate("2.5 Gb/sec (1X SDR)"), 312500000u);
  EXPECT_EQ(parse_infiniband_rate("0 Gb/sec"), 0u);
  EXPECT_FALSE(parse_infiniband_rate(""));
  EXPECT_FALSE(parse_infiniband_rate("100"));  // no unit: procfs cannot split it
  EXPECT_FALSE(parse_infiniband_rate("fast Gb/sec"));
  EXPECT_FALSE(parse_infiniband_rate("-10 Gb/sec"));
  EXPECT_FALSE(parse_infiniband_rate("1e300 Gb/sec"));
}

TEST(GoUintParser, TakesGoBaseZeroSyntax) {
  EXPECT_EQ(parse_go_uint("1234"), 1234u);
  EXPECT_EQ(parse_go_uint("0x10"), 16u);
  EXPECT_EQ(parse_go_uint("010"), 8u);
  EXPECT_EQ(parse_go_uint("0"), 0u);
  EXPECT_EQ(parse_go_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_go_uint(""));
  EXPECT_FALSE(parse_go_uint("-1"));
  EXPECT_FALSE(parse_go_uint("18446744073709551616"));
  EXPECT_FALSE(parse_go_uint("N/A (no PMA)"));
  EXPECT_FALSE(parse_go_uint("12 packets"));
}

TEST(InfinibandCollector, MatchesGolden) {
  std::string out;
  for (const char* state : {"healthy", "garbage_counter", "garbage_state", "empty_rate",
                            "missing_counters", "missing_fw_ver", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out += describe_run("infiniband", fixture_paths(std::string("hardware/infiniband/") + state));
  }
  expect_golden(out, "hardware/infiniband.golden");
}

TEST(InfinibandCollector, EmptyClassIsEmptyOutput) {
  TempDir tree;
  tree.write("sys/class/infiniband/../.keep", "");
  std::filesystem::create_directories(tree.path() + "/sys/class/infiniband");
  EXPECT_EQ(collect_text("infiniband", fixture_paths(tree.path())), "");
}

}  // namespace
}  // namespace nodeprobe

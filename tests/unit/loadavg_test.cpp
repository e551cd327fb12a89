#include "collectors/loadavg.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;

TEST(ParseLoadavg, RealSample) {
  // proc(5): three averages, runnable/total scheduling entities, last PID.
  auto load = parse_loadavg("0.52 0.58 0.59 2/1234 418233\n");
  ASSERT_TRUE(load);
  EXPECT_EQ(load->load1, 0.52);
  EXPECT_EQ(load->load5, 0.58);
  EXPECT_EQ(load->load15, 0.59);
}

TEST(ParseLoadavg, HeavyLoadWithoutTrailingFields) {
  auto load = parse_loadavg("153.07 120.42 98.00");
  ASSERT_TRUE(load);
  EXPECT_EQ(load->load1, 153.07);
  EXPECT_EQ(load->load15, 98);
}

TEST(ParseLoadavg, RejectsEmptyTruncatedAndGarbage) {
  EXPECT_FALSE(parse_loadavg(""));
  EXPECT_FALSE(parse_loadavg("\n"));
  EXPECT_FALSE(parse_loadavg("0.52 0.5"));
  EXPECT_FALSE(parse_loadavg("\177ELF\x00\xff 1 2"s));
  EXPECT_FALSE(parse_loadavg("nan inf 1 2/3 4"));
  EXPECT_FALSE(parse_loadavg("-1 0 0 1/1 1"));
  EXPECT_FALSE(parse_loadavg("0.52,0.58,0.59"));
}

TEST(ParseLoadavg, OversizedInputReadsTheFirstLine) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "0.52 0.58 0.59 2/1234 418233\n";
  auto load = parse_loadavg(text);
  ASSERT_TRUE(load);
  EXPECT_EQ(load->load5, 0.58);
}

TEST(LoadavgCollector, MatchesGolden) {
  expect_golden(collect_text("loadavg", fixture_paths("host")), "host/loadavg.golden");
}

}  // namespace
}  // namespace nodeprobe

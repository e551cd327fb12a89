#include "collectors/schedstat.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseSchedstat, RealSample) {
  // Version 15 (Documentation/scheduler/sched-stats.rst): fields 7-9 of a cpu line are the
  // running and waiting time in ns and the timeslice count; domain lines are skipped.
  auto cpus = parse_schedstat(
      "version 15\n"
      "timestamp 4297918431\n"
      "cpu0 0 0 29340195 11271930 15231021 7632014 481203718392 91820384812 17392013\n"
      "domain0 00000003 6 6 0 0 0 0 0 6 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
      "cpu13 0 0 1 2 3 4 5 6 7\n");
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].cpu, "0");
  EXPECT_EQ(cpus[0].running_ns, 481203718392u);
  EXPECT_EQ(cpus[0].waiting_ns, 91820384812u);
  EXPECT_EQ(cpus[0].timeslices, 17392013u);
  EXPECT_EQ(cpus[1].cpu, "13");
  EXPECT_EQ(cpus[1].timeslices, 7u);
}

TEST(ParseSchedstat, ExtraTrailingFieldsAreAllowed) {
  auto cpus = parse_schedstat("cpu0 0 0 1 2 3 4 5 6 7 8 9\n");
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].running_ns, 5u);
}

TEST(ParseSchedstat, SkipsEmptyTruncatedAndGarbage) {
  EXPECT_TRUE(parse_schedstat("").empty());
  EXPECT_TRUE(parse_schedstat("\n\n").empty());
  EXPECT_TRUE(parse_schedstat("version 15\ncpu0 0 0 29340195 11271930 15231").empty());
  EXPECT_TRUE(parse_schedstat("cpu0 0 0 1 2 3 4 5 6 x\n").empty());
  EXPECT_TRUE(parse_schedstat("cpuX 0 0 1 2 3 4 5 6 7\n").empty());
  EXPECT_TRUE(parse_schedstat("cpu 0 0 1 2 3 4 5 6 7\n").empty());
  EXPECT_TRUE(parse_schedstat("cpu0 0 0 1 2 3 4 5 -6 7\n").empty());
  EXPECT_TRUE(parse_schedstat("cpu0 0 0 1 2 3 4 5 99999999999999999999999 7\n").empty());
  EXPECT_TRUE(parse_schedstat("\x7f"
                              "ELF\x00\xff cpu0 0 0 1 2 3 4 5 6 7"s)
                  .empty());
  // One bad line does not hide the good ones.
  EXPECT_EQ(parse_schedstat("cpu0 garbage\ncpu1 0 0 1 2 3 4 5 6 7\n").size(), 1u);
}

TEST(ParseSchedstat, OversizedInput) {
  std::string text = "version 15\ntimestamp 1\n";
  for (int i = 0; i < 4096; ++i) {
    text += "cpu" + std::to_string(i) + " 0 0 1 2 3 4 5000000000 6 7\n";
    text += "domain0 ffffffff,ffffffff 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n";
  }
  auto cpus = parse_schedstat(text);
  ASSERT_EQ(cpus.size(), 4096u);
  EXPECT_EQ(cpus.back().cpu, "4095");
  EXPECT_EQ(cpus.back().running_ns, 5000000000u);
}

TEST(SchedstatCollector, MatchesGolden) {
  expect_golden(collect_text("schedstat", fixture_paths("misc/host")), "misc/schedstat.golden");
}

TEST(SchedstatCollector, KernelWithoutSchedstatsIsAbsent) {
  TempDir tree;
  tree.write("proc/stat", "cpu 1 2 3 4\n");
  EXPECT_THROW(collect_text("schedstat", fixture_paths(tree.path())), FeatureAbsent);
}

}  // namespace
}  // namespace nodeprobe

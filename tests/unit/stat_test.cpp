#include "collectors/stat.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;
using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;

using Softirqs = std::vector<std::pair<std::string, double>>;

TEST(ParseProcStat, RealSample) {
  auto s = parse_proc_stat(
      "cpu  1207372 6258 384098 22101676 40763 1044 9123 0 3340 12\n"
      "cpu0 302811 1547 97102 5523844 10241 812 4312 0 0 0\n"
      "intr 61565463 9 0 0 0 0 0 0 0 1 148 0 0 4129\n"
      "ctxt 172949273\n"
      "btime 1714032481\n"
      "processes 412367\n"
      "procs_running 3\n"
      "procs_blocked 1\n"
      "softirq 41034084 52 20981127 201 1312740 181237 0 1644 7523090 4182 11029811\n");
  EXPECT_EQ(s.intr, 61565463);
  EXPECT_EQ(s.ctxt, 172949273);
  EXPECT_EQ(s.btime, 1714032481);
  EXPECT_EQ(s.processes, 412367);
  EXPECT_EQ(s.procs_running, 3);
  EXPECT_EQ(s.procs_blocked, 1);
  EXPECT_EQ(s.softirqs, (Softirqs{{"hi", 52},
                                  {"timer", 20981127},
                                  {"net_tx", 201},
                                  {"net_rx", 1312740},
                                  {"block", 181237},
                                  {"block_iopoll", 0},
                                  {"tasklet", 1644},
                                  {"sched", 7523090},
                                  {"hrtimer", 4182},
                                  {"rcu", 11029811}}));
}

TEST(ParseProcStat, EmptyGivesNothing) {
  auto s = parse_proc_stat("");
  EXPECT_FALSE(s.intr || s.ctxt || s.btime || s.processes || s.procs_running || s.procs_blocked);
  EXPECT_TRUE(s.softirqs.empty());
}

TEST(ParseProcStat, TruncatedMidLine) {
  auto s = parse_proc_stat("ctxt 172949273\nbtime 1714032481\nprocesses 412367\nprocs_runn");
  EXPECT_EQ(s.processes, 412367);
  EXPECT_FALSE(s.procs_running);
  // A softirq line cut short names the columns it has.
  auto cut = parse_proc_stat("softirq 41034084 52 20981127 2");
  EXPECT_EQ(cut.softirqs, (Softirqs{{"hi", 52}, {"timer", 20981127}, {"net_tx", 2}}));
}

TEST(ParseProcStat, GarbageIsSkipped) {
  auto s = parse_proc_stat(
      "\177ELF\x02\x01\x00\xff\xfe\n"
      "btime nan\n"
      "ctxt -1\n"
      "intr 1e5 0 0\n"
      "processes 0x10\n"
      "procs_running\n"
      "softirq 1 2 x 3\n"
      "procs_blocked 2\n"s);
  EXPECT_FALSE(s.btime);
  EXPECT_FALSE(s.ctxt);
  EXPECT_FALSE(s.intr);
  EXPECT_FALSE(s.processes);
  EXPECT_FALSE(s.procs_running);
  EXPECT_EQ(s.procs_blocked, 2);
  EXPECT_EQ(s.softirqs, (Softirqs{{"hi", 2}, {"net_tx", 3}}));
}

TEST(ParseProcStat, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "cpu" + std::to_string(i) + " 1 2 3 4 5 6 7 8 9 10\n";
  text += "ctxt 5\n";
  // A softirq line from a kernel with more vectors than today's ten.
  text += "softirq 1" + std::string(100000, ' ') + "7 7 7 7 7 7 7 7 7 7 7 7 7\n";
  auto s = parse_proc_stat(text);
  EXPECT_EQ(s.ctxt, 5);
  EXPECT_EQ(s.softirqs.size(), 10u);
}

TEST(StatCollector, MatchesGolden) {
  expect_golden(collect_text("stat", fixture_paths("host")), "host/stat.golden");
}

TEST(StatCollector, SoftirqFlagAddsTheVectors) {
  EXPECT_EQ(collect_text("stat", fixture_paths("host")).find("node_softirqs_total"),
            std::string::npos);
  expect_golden(collect_text("stat", fixture_paths("host"), {"--collector.stat.softirq"}),
                "host/stat_softirq.golden");
}

}  // namespace
}  // namespace nodeprobe

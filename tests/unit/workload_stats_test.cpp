#include "collectors/workload_stats.h"

#include <gtest/gtest.h>

#include <string>

namespace nodeprobe {
namespace {

TEST(WorkloadStatsKeyedValue, RealMemoryStat) {
  std::string text =
      "anon 52428800\nfile 41943040\nactive_anon 1048576\ninactive_file 20971520\n"
      "active_file 20971520\n";
  EXPECT_EQ(keyed_value(text, "inactive_file"), 20971520u);
  EXPECT_EQ(keyed_value(text, "anon"), 52428800u);
  // "file" must not match "file_mapped" nor a key that only ends in it.
  EXPECT_EQ(keyed_value("file_mapped 4096\nfile 8192\n", "file"), 8192u);
  EXPECT_FALSE(keyed_value(text, "missing"));
}

TEST(WorkloadStatsKeyedValue, EmptyTruncatedGarbage) {
  EXPECT_FALSE(keyed_value("", "oom_kill"));
  EXPECT_FALSE(keyed_value("oom_kill", "oom_kill"));
  EXPECT_FALSE(keyed_value("oom_kill ", "oom_kill"));
  EXPECT_FALSE(keyed_value("oom_kill twelve\n", "oom_kill"));
  EXPECT_FALSE(keyed_value("oom_kill 99999999999999999999999\n", "oom_kill"));
  EXPECT_EQ(keyed_value(std::string(1 << 20, 'x') + "\noom_kill 3\n", "oom_kill"), 3u);
}

TEST(WorkloadStatsMemoryLimit, V2AndV1) {
  EXPECT_EQ(memory_limit_value("536870912\n"), 536870912u);
  EXPECT_FALSE(memory_limit_value("max\n"));
  EXPECT_FALSE(memory_limit_value("9223372036854771712\n"));  // v1, 4 KiB pages
  EXPECT_FALSE(memory_limit_value("9223372036854710272\n"));  // v1, 64 KiB pages
  EXPECT_FALSE(memory_limit_value(""));
  EXPECT_FALSE(memory_limit_value("-1"));
}

TEST(WorkloadStatsWorkingSet, FlooredAtZero) {
  EXPECT_EQ(working_set(100, 30), 70u);
  EXPECT_EQ(working_set(30, 100), 0u);
  EXPECT_EQ(working_set(0, 0), 0u);
}

TEST(WorkloadStatsCpuStat, V2) {
  WorkloadUsage u;
  parse_cpu_stat_v2(
      "usage_usec 4200000\nuser_usec 3150000\nsystem_usec 1050000\nnr_periods 1200\n"
      "nr_throttled 37\nthrottled_usec 2150000\nnr_bursts 0\nburst_usec 0\n",
      u);
  EXPECT_EQ(u.cpu_seconds, 4.2);
  EXPECT_EQ(u.cpu_periods, 1200u);
  EXPECT_EQ(u.cpu_throttled_periods, 37u);
  EXPECT_EQ(u.cpu_throttled_seconds, 2.15);
}

TEST(WorkloadStatsCpuStat, V2WithoutTheCpuController) {
  // Without the cpu controller, cpu.stat has only the usage lines.
  WorkloadUsage u;
  parse_cpu_stat_v2("usage_usec 10\nuser_usec 5\nsystem_usec 5\n", u);
  EXPECT_EQ(u.cpu_seconds, 1e-5);
  EXPECT_FALSE(u.cpu_periods);
  EXPECT_FALSE(u.cpu_throttled_seconds);
}

TEST(WorkloadStatsCpuStat, V1AndGarbage) {
  WorkloadUsage u;
  parse_cpu_stat_v1("nr_periods 4000\nnr_throttled 250\nthrottled_time 9500000000\n", u);
  EXPECT_EQ(u.cpu_periods, 4000u);
  EXPECT_EQ(u.cpu_throttled_periods, 250u);
  EXPECT_EQ(u.cpu_throttled_seconds, 9.5);
  WorkloadUsage g;
  parse_cpu_stat_v1("nr_periods\nnr_throttled x\nthrottled_ti", g);
  parse_cpu_stat_v2("", g);
  EXPECT_FALSE(g.cpu_periods);
  EXPECT_FALSE(g.cpu_throttled_periods);
  EXPECT_FALSE(g.cpu_seconds);
}

TEST(WorkloadStatsIoStat, SumsDevices) {
  WorkloadUsage u;
  parse_io_stat(
      "259:0 rbytes=31457280 wbytes=12582912 rios=3000 wios=900 dbytes=0 dios=0\n"
      "253:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
      u);
  EXPECT_EQ(u.io_read_bytes, 31461376u);
  EXPECT_EQ(u.io_write_bytes, 12582912u);
  EXPECT_EQ(u.io_read_ops, 3001u);
  EXPECT_EQ(u.io_write_ops, 900u);
}

TEST(WorkloadStatsIoStat, EmptyIsZeroTruncatedKeepsWhatParsed) {
  WorkloadUsage empty;
  parse_io_stat("", empty);
  EXPECT_EQ(empty.io_read_bytes, 0u);
  EXPECT_EQ(empty.io_write_ops, 0u);
  WorkloadUsage cut;
  parse_io_stat("259:0 rbytes=40960 wbytes=8192 rios=10 wio", cut);
  EXPECT_EQ(cut.io_read_bytes, 40960u);
  EXPECT_EQ(cut.io_read_ops, 10u);
  EXPECT_EQ(cut.io_write_ops, 0u);
  WorkloadUsage garbage;
  parse_io_stat("rbytes=1 wbytes=2\n\x01\x02 rbytes=zz\n", garbage);
  EXPECT_EQ(garbage.io_read_bytes, 0u);
}

TEST(WorkloadStatsBlkio, ReadAndWriteSummed) {
  std::optional<std::uint64_t> r;
  std::optional<std::uint64_t> w;
  parse_blkio(
      "8:0 Read 5242880\n8:0 Write 1048576\n8:0 Sync 1048576\n8:0 Async 5242880\n"
      "8:0 Discard 0\n8:0 Total 6291456\n8:16 Read 4096\n8:16 Write 0\n8:16 Total 4096\n"
      "Total 6295552\n",
      r, w);
  EXPECT_EQ(r, 5246976u);
  EXPECT_EQ(w, 1048576u);
}

TEST(WorkloadStatsBlkio, NoIoYetAndTruncated) {
  std::optional<std::uint64_t> r;
  std::optional<std::uint64_t> w;
  parse_blkio("Total 0\n", r, w);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(w, 0u);
  std::optional<std::uint64_t> r2;
  std::optional<std::uint64_t> w2;
  parse_blkio("8:0 Read 5242880\n8:0 Wri", r2, w2);
  EXPECT_FALSE(r2);
  EXPECT_FALSE(w2);
  parse_blkio("", r2, w2);
  EXPECT_FALSE(r2);
}

TEST(WorkloadStatsCountIds, ProcsAndThreads) {
  std::optional<std::uint64_t> first;
  EXPECT_EQ(count_ids("4101\n4102\n", &first), 2u);
  EXPECT_EQ(first, 4101u);
  EXPECT_EQ(count_ids(""), 0u);
  EXPECT_EQ(count_ids("6001\nnot-a-pid\n\n"), 1u);
  std::string many;
  for (int i = 1; i <= 100000; ++i) many += std::to_string(i) + "\n";
  EXPECT_EQ(count_ids(many), 100000u);
}

}  // namespace
}  // namespace nodeprobe

// The xfs collector: parse_xfs_stats on literal statistics files (fs/xfs/xfs_stats.c's format),
// and the collector on a fixture tree of two mounted filesystems.
#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "collectors/xfs_stats.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseXfsStats, RealSample) {
  auto s = parse_xfs_stats(
      "extent_alloc 92447 97589 92448 93751\n"
      "abt 0 0 0 0\n"
      "blk_map 1767055 188820 184891 92447 92448 2140766 0\n"
      "bmbt 0 0 0 0\n"
      "dir 185039 92447 92444 136422\n"
      "trans 706 944304 0\n"
      "ig 185045 58807 0 126238 0 33637 22\n"
      "log 2883 113448 9 17360 739\n"
      "push_ail 945014 0 134260 15483 0 3940 464 159985 0 40\n"
      "rw 107739 94045\n"
      "vnodes 92601 0 0 0 92444 92444 92444 0\n"
      "buf 2666287 7122 2659202 3599 2 7085 0 10297 7085\n"
      "xpc 399724544 92823103 86219234\n"
      "debug 0\n");
  EXPECT_EQ(s.extent_alloc[0], 92447u);
  EXPECT_EQ(s.blk_map[5], 2140766u);
  EXPECT_EQ(s.ig[6], 22u);
  EXPECT_EQ(s.rw[0], 107739u);
  EXPECT_EQ(s.rw[1], 94045u);
  EXPECT_EQ(s.vnodes[4], 92444u);
}

TEST(ParseXfsStats, OldKernelVnodesWithoutFree) {
  auto s = parse_xfs_stats("vnodes 1 2 3 4 5 6 7\n");
  EXPECT_EQ(s.vnodes[6], 7u);
  EXPECT_EQ(s.vnodes[7], 0u);
}

TEST(ParseXfsStats, EmptyIsAllZero) {
  auto s = parse_xfs_stats("");
  EXPECT_EQ(s.extent_alloc[0], 0u);
  EXPECT_EQ(s.vnodes[0], 0u);
}

TEST(ParseXfsStats, TruncatedLineIsRefused) {
  EXPECT_THROW(parse_xfs_stats("extent_alloc 1 2 3 4\nblk_map 1 2 3"), XfsStatsError);
  EXPECT_THROW(parse_xfs_stats("trans 1 2\n"), XfsStatsError);
  // A label cut from its values has fewer than two fields and is skipped, as procfs does.
  EXPECT_NO_THROW(parse_xfs_stats("extent_alloc 1 2 3 4\nblk_m"));
}

TEST(ParseXfsStats, GarbageIsRefused) {
  EXPECT_THROW(parse_xfs_stats("rw one two\n"), XfsStatsError);
  EXPECT_THROW(parse_xfs_stats("\x01\x02 \x03\n"), XfsStatsError);
  // Counters are 32-bit outside xpc.
  EXPECT_THROW(parse_xfs_stats("rw 4294967296 1\n"), XfsStatsError);
  EXPECT_NO_THROW(parse_xfs_stats("xpc 18446744073709551615 1 2\n"));
  EXPECT_THROW(parse_xfs_stats("xpc 18446744073709551616 1 2\n"), XfsStatsError);
}

TEST(ParseXfsStats, OversizedFileOfUnknownLines) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "future_counter_" + std::to_string(i) + " 1 2 3\n";
  text += "rw 5 6\n";
  EXPECT_EQ(parse_xfs_stats(text).rw[1], 6u);
}

TEST(XfsCollector, MatchesGolden) {
  // sda1 is a real-looking sample, dm-0 counts up so that every family shows which value it took.
  expect_golden(collect_text("xfs", fixture_paths("storage/xfs/healthy")),
                "storage/xfs/healthy.golden");
}

TEST(XfsCollector, NoXfsEmitsNothing) {
  // node_exporter globs /sys/fs/xfs/*/stats/stats: no match is an empty, successful collection.
  TempDir empty;
  EXPECT_EQ(collect_text("xfs", fixture_paths(empty.path())), "");
}

TEST(XfsCollector, OneBrokenFileFailsTheCollection) {
  TempDir tree;
  tree.write("sys/fs/xfs/sda1/stats/stats", "rw 1 2\n");
  tree.write("sys/fs/xfs/sdb1/stats/stats", "rw 1 garbage\n");
  EXPECT_THROW(collect_text("xfs", fixture_paths(tree.path())), XfsStatsError);
}

}  // namespace
}  // namespace nodeprobe

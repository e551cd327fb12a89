// The bcache collector: its value parsers on literal sysfs texts (drivers/md/bcache/sysfs.c and
// util.c's bch_hprint), and the collector on fixture trees of a cache set with one backing and
// one cache device, healthy and failing (I/O errors, congested, the cache nearly all dirty).
#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "collectors/bcache_values.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(BcacheDehumanize, PlainAndHumanizedValues) {
  EXPECT_EQ(bcache_dehumanize("0"), 0u);
  EXPECT_EQ(bcache_dehumanize("1305"), 1305u);
  EXPECT_EQ(bcache_dehumanize("512k"), 524288u);
  // bch_hprint's fraction is tenths of 1024ths: 6.7M = (6 + 7 / 10.24) MiB.
  EXPECT_EQ(bcache_dehumanize("6.7M"), 7008256u);
  EXPECT_EQ(bcache_dehumanize("1.5G"), 1598029824u);
  EXPECT_EQ(bcache_dehumanize_signed("-13.7M"), -14348288);
  EXPECT_EQ(bcache_dehumanize_signed("-1.2k"), -1224);
}

TEST(BcacheDehumanize, EmptyTruncatedGarbageAndOversized) {
  EXPECT_EQ(bcache_dehumanize(""), std::nullopt);
  // "6.7M" cut before its unit is a plain number to procfs (Go's ParseFloat), truncated.
  EXPECT_EQ(bcache_dehumanize("6.7"), 6u);
  EXPECT_EQ(bcache_dehumanize("M"), std::nullopt);
  EXPECT_EQ(bcache_dehumanize("\xff\x01"), std::nullopt);
  EXPECT_EQ(bcache_dehumanize("12%"), std::nullopt);
  EXPECT_EQ(bcache_dehumanize("3B"), 0u);  // an unknown unit multiplies by 0, as in procfs
  EXPECT_EQ(bcache_dehumanize("99999999Y"), UINT64_MAX);
  EXPECT_EQ(bcache_dehumanize(std::string(5000, '9')), std::nullopt);
}

TEST(ParseBcacheWritebackRateDebug, RealSample) {
  auto d = parse_bcache_writeback_rate_debug(
      "rate:\t\t1.1M/sec\ndirty:\t\t1.5G\ntarget:\t\t2.0G\nproportional:\t-13.7M\n"
      "integral:\t-1.2k\nchange:\t\t-4.9k/sec\nnext io:\t-93ms\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rate, 1150976u);
  EXPECT_EQ(d->target, 2147483648u);
  EXPECT_EQ(d->proportional, -14348288);
  EXPECT_EQ(d->integral, -1224);
  EXPECT_EQ(d->change, -4996);
}

TEST(ParseBcacheWritebackRateDebug, EmptyTruncatedAndGarbage) {
  EXPECT_TRUE(parse_bcache_writeback_rate_debug(""));
  EXPECT_FALSE(parse_bcache_writeback_rate_debug("rate:\t\t1.1M/sec\ntarget:"));
  EXPECT_FALSE(parse_bcache_writeback_rate_debug("next io:\tsoon\n"));
  EXPECT_TRUE(parse_bcache_writeback_rate_debug("\x01\x02 noise\n"));  // no known line
}

TEST(ParseBcachePriorityStats, RealSampleAndGarbage) {
  auto p = parse_bcache_priority_stats("Unused:\t\t99%\nClean:\t\t0%\nMetadata:\t1%\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->unused_percent, 99u);
  EXPECT_EQ(p->metadata_percent, 1u);
  EXPECT_TRUE(parse_bcache_priority_stats(""));
  EXPECT_FALSE(parse_bcache_priority_stats("Unused:\t\tmost%\n"));
}

struct BcacheCase {
  const char* state;
  bool priority;
};

class BcacheFixture : public ::testing::TestWithParam<BcacheCase> {};

TEST_P(BcacheFixture, MatchesGolden) {
  auto [state, priority] = GetParam();
  std::vector<std::string> args;
  if (priority) args.push_back("--collector.bcache.priorityStats");
  expect_golden(collect_text("bcache", fixture_paths(std::string("storage/bcache/") + state), args),
                std::string("storage/bcache/") + state + (priority ? "_priority" : "") + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, BcacheFixture,
                         ::testing::Values(BcacheCase{"healthy", false},
                                           BcacheCase{"healthy", true},
                                           BcacheCase{"failing", false}));

TEST(BcacheCollector, NoBcacheEmitsNothing) {
  TempDir empty;
  EXPECT_EQ(collect_text("bcache", fixture_paths(empty.path())), "");
  TempDir module_only;
  module_only.write("sys/fs/bcache/register", "");
  EXPECT_EQ(collect_text("bcache", fixture_paths(module_only.path())), "");
}

TEST(BcacheCollector, MissingEmptyOrGarbageValueFails) {
  const std::string value = "sys/fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/tree_depth";
  // "1" without its newline fails too: procfs drops the last byte as the newline.
  for (const char* text : {"", "deep\n", "1"}) {
    TempDir tree;
    tree.copy_fixture("storage/bcache/healthy");
    tree.write(value, text);
    EXPECT_THROW(collect_text("bcache", fixture_paths(tree.path())), std::runtime_error) << text;
  }
  TempDir tree;
  tree.copy_fixture("storage/bcache/healthy");
  std::filesystem::remove(tree.path() + "/" + value);
  EXPECT_THROW(collect_text("bcache", fixture_paths(tree.path())), FileError);
}

}  // namespace
}  // namespace nodeprobe

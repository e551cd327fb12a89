#include "collectors/selinux.h"

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

TEST(ParseAvcCacheStats, SumsTheCpuLines) {
  auto s = parse_avc_cache_stats(
      "lookups hits misses allocations reclaims frees\n"
      "3195271 3193187 2084 2084 1024 1535\n"
      "1987362 1986523 839 839 512 817\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->lookups, 5182633u);
  EXPECT_EQ(s->hits, 5179710u);
  EXPECT_EQ(s->misses, 2923u);
  EXPECT_EQ(s->allocations, 2923u);
  EXPECT_EQ(s->reclaims, 1536u);
  EXPECT_EQ(s->frees, 2352u);
}

TEST(ParseAvcCacheStats, EmptyTruncatedGarbageOversized) {
  // Empty or header only: zeros, as node_exporter reads it.
  ASSERT_TRUE(parse_avc_cache_stats(""));
  EXPECT_EQ(parse_avc_cache_stats("lookups hits misses allocations reclaims frees\n")->lookups, 0u);
  EXPECT_FALSE(parse_avc_cache_stats("lookups hits misses allocations reclaims frees\n1 2 3"));
  EXPECT_FALSE(parse_avc_cache_stats("h\n1 2 3 4 5 x\n"));
  EXPECT_FALSE(parse_avc_cache_stats("h\n1 2 3 4 5 6 7\n"));
  EXPECT_FALSE(
      parse_avc_cache_stats("h\n\x7f"
                            "ELF\x00\xff 1 2 3 4 5"s));
  std::string big = "lookups hits misses allocations reclaims frees\n";
  for (int i = 0; i < 8192; ++i) big += "1 1 0 0 0 0\n";
  EXPECT_EQ(parse_avc_cache_stats(big)->lookups, 8192u);
}

TEST(ParseAvcHashStats, KernelFormat) {
  auto s = parse_avc_hash_stats("entries: 507\nbuckets used: 302/512\nlongest chain: 5\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->entries, 507u);
  EXPECT_EQ(s->buckets_used, 302u);
  EXPECT_EQ(s->buckets_available, 512u);
  EXPECT_EQ(s->longest_chain, 5u);
}

TEST(ParseAvcHashStats, RejectsEmptyTruncatedGarbage) {
  EXPECT_FALSE(parse_avc_hash_stats(""));
  EXPECT_FALSE(parse_avc_hash_stats("entries: 507\nbuckets used: 302/5"s.substr(0, 24)));
  EXPECT_FALSE(parse_avc_hash_stats("entries: 507\nbuckets used: 302\nlongest chain: 5\n"));
  EXPECT_FALSE(parse_avc_hash_stats("entries: x\nbuckets used: 1/2\nlongest chain: 5\n"));
  EXPECT_FALSE(parse_avc_hash_stats("\xff\xfe garbage: 1\n"));
  EXPECT_FALSE(parse_avc_hash_stats(std::string(1 << 20, ':')));
}

TEST(ParseSelinuxConfigMode, GoSelinuxRules) {
  EXPECT_EQ(parse_selinux_config_mode("SELINUX=enforcing\n"), 1);
  EXPECT_EQ(parse_selinux_config_mode("# SELINUX=enforcing\nSELINUX=permissive\n"), 0);
  EXPECT_EQ(parse_selinux_config_mode("  SELINUX=\"enforcing\"  \n"), 1);
  EXPECT_EQ(parse_selinux_config_mode("SELINUX=disabled\n"), -1);
  EXPECT_EQ(parse_selinux_config_mode("SELINUXTYPE=targeted\n"), -1);
  EXPECT_EQ(parse_selinux_config_mode(""), -1);
  EXPECT_EQ(parse_selinux_config_mode("SELINUX=enforcing"s.substr(0, 12)), -1);
  EXPECT_EQ(parse_selinux_config_mode("\x7f"
                                      "ELF\x00SELINUX=enforcing"s),
            -1);
  // The first SELINUX= line decides.
  EXPECT_EQ(parse_selinux_config_mode("SELINUX=permissive\nSELINUX=enforcing\n"), 0);
}

TEST(SelinuxCollector, MatchesGolden) {
  // Enforcing now, permissive in the config file.
  expect_golden(collect_text("selinux", fixture_paths("misc/host")), "misc/selinux.golden");
}

TEST(SelinuxCollector, MissingConfigIsModeMinusOne) {
  TempDir tree;
  tree.write("sys/fs/selinux/enforce", "0");
  tree.write("sys/fs/selinux/avc/cache_stats", "lookups hits misses allocations reclaims frees\n");
  tree.write("sys/fs/selinux/avc/hash_stats",
             "entries: 0\nbuckets used: 0/512\nlongest chain: 0\n");
  tree.write("sys/fs/selinux/avc/cache_threshold", "512");
  auto text = collect_text("selinux", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_selinux_config_mode -1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_selinux_current_mode 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_selinux_enabled 1\n"), std::string::npos) << text;
}

TEST(SelinuxCollector, LiveHost) {
  // This machine has no selinuxfs; where one is mounted the collector must say enabled.
  auto text = collect_text("selinux", HostPaths{});
  bool mounted = std::filesystem::exists("/sys/fs/selinux/enforce");
  EXPECT_NE(text.find(mounted ? "node_selinux_enabled 1\n" : "node_selinux_enabled 0\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace nodeprobe

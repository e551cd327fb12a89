#include "collectors/conntrack.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

// Linux 5.x+ header; 2.6.35 to 4.x said "searched" and "delete_list" in columns 1 and 7.
constexpr const char* kHeader =
    "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
    "early_drop icmp_error  expect_new expect_create expect_delete search_restart\n";

TEST(ParseConntrackStat, SumsCpuLinesByPosition) {
  auto stat = parse_conntrack_stat(
      std::string(kHeader) +
      "0000058f  00000003 00000002 00000000 0000001c 000002b4 00000000 00000000 00000005 00000001 "
      "00000002 00000000 00000005  00000000 00000000 00000000 00000007\n"
      "0000058f  00000001 00000000 00000000 00000009 00000113 00000000 00000000 00000000 00000000 "
      "00000000 00000004 00000000  00000000 00000000 00000000 00000003\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->found, 2u);
  EXPECT_EQ(stat->invalid, 0x1cu + 0x9u);
  EXPECT_EQ(stat->ignore, 0x2b4u + 0x113u);
  EXPECT_EQ(stat->insert, 5u);
  EXPECT_EQ(stat->insert_failed, 1u);
  EXPECT_EQ(stat->drop, 2u);
  EXPECT_EQ(stat->early_drop, 4u);
  EXPECT_EQ(stat->search_restart, 10u);
}

TEST(ParseConntrackStat, SixteenColumnsBeforeSearchRestart) {
  auto stat = parse_conntrack_stat(
      "entries searched found new invalid ignore delete delete_list insert insert_failed drop "
      "early_drop icmp_error expect_new expect_create expect_delete\n"
      "00000010 00000020 00000030 00000001 00000002 00000003 00000004 00000005 00000006 00000007 "
      "00000008 00000009 0000000a 0000000b 0000000c 0000000d\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->found, 0x30u);
  EXPECT_EQ(stat->early_drop, 9u);
  EXPECT_EQ(stat->search_restart, 0u);
}

TEST(ParseConntrackStat, EmptyAndHeaderOnlyAreZero) {
  for (std::string text : {""s, std::string(kHeader)}) {
    auto stat = parse_conntrack_stat(text);
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->found + stat->invalid + stat->search_restart, 0u);
  }
}

TEST(ParseConntrackStat, TruncatedOrGarbageLineRejectsTheFile) {
  std::string line =
      "00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 "
      "00000001 00000001 00000001 00000001 00000001 00000001 00000001\n";
  EXPECT_TRUE(parse_conntrack_stat(kHeader + line));
  EXPECT_FALSE(parse_conntrack_stat(kHeader + line + line.substr(0, 60)));
  EXPECT_FALSE(parse_conntrack_stat(kHeader + line +
                                    "\x7f"
                                    "ELF\x02\x01\x00\xff\xfe\n"s));
  EXPECT_FALSE(parse_conntrack_stat(kHeader + line + line.substr(0, line.size() - 1) + " 1\n"));
  std::string bad = line;
  bad[0] = 'x';
  EXPECT_FALSE(parse_conntrack_stat(kHeader + bad));
}

TEST(ParseConntrackStat, OversizedInput) {
  std::string line =
      "00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 "
      "00000001 00000001 00000001 00000001 00000001 00000001 00000001\n";
  std::string text = kHeader;
  for (int i = 0; i < 8192; ++i) text += line;
  auto stat = parse_conntrack_stat(text);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->found, 8192u);
  EXPECT_EQ(stat->search_restart, 8192u);
}

TEST(ConntrackCollector, MatchesGolden) {
  expect_golden(collect_text("conntrack", fixture_paths("net/host")), "net/host/conntrack.golden");
}

TEST(ConntrackCollector, ModuleNotLoadedIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("conntrack", fixture_paths(empty.path())), FeatureAbsent);
  TempDir no_max;
  no_max.write("proc/sys/net/netfilter/nf_conntrack_count", "3\n");
  EXPECT_THROW(collect_text("conntrack", fixture_paths(no_max.path())), FeatureAbsent);
}

TEST(ConntrackCollector, MissingStatFileIsAnError) {
  TempDir tree;
  tree.copy_fixture("net/host");
  std::filesystem::remove(tree.path() + "/proc/net/stat/nf_conntrack");
  EXPECT_THROW(collect_text("conntrack", fixture_paths(tree.path())), FileError);
}

TEST(ConntrackCollector, GarbageCountIsAnError) {
  TempDir tree;
  tree.copy_fixture("net/host");
  tree.write("proc/sys/net/netfilter/nf_conntrack_count", "many\n");
  try {
    collect_text("conntrack", fixture_paths(tree.path()));
    FAIL() << "no error";
  } catch (const FeatureAbsent&) {
    FAIL() << "garbage is not an absent feature";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nf_conntrack_count"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nodeprobe

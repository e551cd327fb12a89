// The mdadm collector: parse_mdstat on literal /proc/mdstat texts (drivers/md/md.c's format),
// and the collector on healthy, degraded, failing and syncing fixture trees.
#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "collectors/mdstat.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

constexpr std::string_view kRaid1 =
    "Personalities : [raid1]\n"
    "md0 : active raid1 sdb1[1](F) sda1[0] sdc1[2](S)\n"
    "      1046528 blocks super 1.2 [2/1] [U_]\n"
    "      \n"
    "unused devices: <none>\n";

TEST(ParseMdstat, Raid1WithFailedAndSpareDisks) {
  auto arrays = parse_mdstat(kRaid1);
  ASSERT_EQ(arrays.size(), 1u);
  const auto& md = arrays[0];
  EXPECT_EQ(md.name, "md0");
  EXPECT_EQ(md.state, "active");
  EXPECT_EQ(md.disks_total, 2);
  EXPECT_EQ(md.disks_active, 1);
  EXPECT_EQ(md.disks_failed, 1);
  EXPECT_EQ(md.disks_spare, 1);
  EXPECT_EQ(md.blocks_total, 1046528);
  EXPECT_EQ(md.blocks_synced, 1046528);
}

TEST(ParseMdstat, RecoveryLineGivesSyncedBlocks) {
  auto arrays = parse_mdstat(
      "md3 : active raid1 sdh1[2] sdg1[0]\n"
      "      488254464 blocks super 1.2 [2/1] [U_]\n"
      "      [=>...................]  recovery =  8.5% (41631872/488254464) finish=37.6min "
      "speed=197754K/sec\n"
      "      bitmap: 1/4 pages [4KB], 65536KB chunk\n"
      "\n");
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].state, "recovering");
  EXPECT_EQ(arrays[0].blocks_synced, 41631872);
}

TEST(ParseMdstat, BitmapLineBeforeTheSyncLineIsSkipped) {
  auto arrays = parse_mdstat(
      "md4 : active raid5 sdc1[2] sdb1[1] sda1[0]\n"
      "      1953260544 blocks level 5, 512k chunk, algorithm 2 [3/3] [UUU]\n"
      "      bitmap: 1/8 pages [4KB], 65536KB chunk\n"
      "      [=>..]  check =  5.0% (48828160/976630272) finish=80.1min speed=193000K/sec\n");
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].state, "checking");
  EXPECT_EQ(arrays[0].blocks_synced, 48828160);
}

TEST(ParseMdstat, DelayedResyncHasNoSyncedBlocks) {
  auto arrays = parse_mdstat(
      "md6 : active raid1 sde1[1] sdd1[0]\n"
      "      104792064 blocks super 1.2 [2/2] [UU]\n"
      "      \tresync=DELAYED\n"
      "\n");
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].state, "resyncing");
  EXPECT_EQ(arrays[0].blocks_synced, 0);
}

TEST(ParseMdstat, Raid0AndInactiveArrays) {
  auto arrays = parse_mdstat(
      "md2 : active raid0 sdf1[1] sde1[0]\n"
      "      1953260544 blocks super 1.2 512k chunks\n"
      "      \n"
      "md127 : inactive sdm1[0](S)\n"
      "      1953382488 blocks super 1.2\n"
      "       \n"
      "unused devices: <none>\n");
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].disks_total, 2);
  EXPECT_EQ(arrays[0].disks_active, 2);
  EXPECT_EQ(arrays[1].state, "inactive");
  EXPECT_EQ(arrays[1].disks_total, 0);
  EXPECT_EQ(arrays[1].disks_spare, 1);
  EXPECT_EQ(arrays[1].blocks_total, 1953382488);
}

TEST(ParseMdstat, EmptyAndHeaderOnlyHaveNoArrays) {
  EXPECT_TRUE(parse_mdstat("").empty());
  EXPECT_TRUE(parse_mdstat("Personalities : \nunused devices: <none>\n").empty());
}

TEST(ParseMdstat, TruncatedEntryIsRefused) {
  // Cut after the device line: procfs needs three more lines for an array.
  EXPECT_THROW(parse_mdstat("md0 : active raid1 sdb1[1] sda1[0]\n"), MdstatError);
  EXPECT_THROW(parse_mdstat("md0 : active raid1 sdb1[1] sda1[0]\n      1046528 blocks"),
               MdstatError);
  // Cut inside the status line, before the disk counts.
  EXPECT_THROW(parse_mdstat("md0 : active raid1 sdb1[1] sda1[0]\n      1046528 blocks super 1.2 "
                            "[2/\n\n\n"),
               MdstatError);
  // Cut inside the recovery line.
  EXPECT_THROW(parse_mdstat("md3 : active raid1 sdh1[2] sdg1[0]\n"
                            "      488254464 blocks super 1.2 [2/1] [U_]\n"
                            "      [=>...]  recovery =  8.5% (41631872/488254464) fini\n\n"),
               MdstatError);
}

TEST(ParseMdstat, GarbageIsRefused) {
  EXPECT_THROW(parse_mdstat("\x01\x02garbage\n"), MdstatError);
  EXPECT_THROW(parse_mdstat("md0 : active raid1\nnot a number\n\n\n"), MdstatError);
  EXPECT_THROW(parse_mdstat("md0 : active raid1\n 99999999999999999999 blocks [2/2] [UU]\n\n\n"),
               MdstatError);
}

TEST(ParseMdstat, OversizedFileOfManyArrays) {
  std::string text = "Personalities : [raid1]\n";
  for (int i = 0; i < 5000; ++i) {
    text += "md" + std::to_string(i) + " : active raid1 sdb1[1] sda1[0]\n";
    text += "      1046528 blocks super 1.2 [2/2] [UU]\n      \n";
  }
  text += "unused devices: <none>\n";
  auto arrays = parse_mdstat(text);
  ASSERT_EQ(arrays.size(), 5000u);
  EXPECT_EQ(arrays.back().name, "md4999");
}

class MdadmFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(MdadmFixture, MatchesGolden) {
  std::string state = GetParam();
  expect_golden(collect_text("mdadm", fixture_paths("storage/mdadm/" + state)),
                "storage/mdadm/" + state + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, MdadmFixture,
                         ::testing::Values("healthy", "degraded", "failing", "syncing"));

TEST(MdadmCollector, NoMdstatIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("mdadm", fixture_paths(empty.path())), FeatureAbsent);
}

TEST(MdadmCollector, EmptyMdstatEmitsNothing) {
  TempDir tree;
  tree.write("proc/mdstat", "");
  EXPECT_EQ(collect_text("mdadm", fixture_paths(tree.path())), "");
}

TEST(MdadmCollector, BrokenMdstatFails) {
  TempDir tree;
  tree.write("proc/mdstat", "md0 : active raid1 sda1[0]\n      garbage\n\n\n");
  EXPECT_THROW(collect_text("mdadm", fixture_paths(tree.path())), MdstatError);
}

}  // namespace
}  // namespace nodeprobe

// The btrfs collector on fixture trees of /sys/fs/btrfs (Documentation/ABI/testing/
// sysfs-fs-btrfs): one single-device filesystem, and a tree with a three-device RAID filesystem
// and a second one whose metadata_uuid differs from its directory name; plus broken trees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

class BtrfsFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(BtrfsFixture, MatchesGolden) {
  std::string state = GetParam();
  expect_golden(collect_text("btrfs", fixture_paths("storage/btrfs/" + state)),
                "storage/btrfs/" + state + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, BtrfsFixture, ::testing::Values("healthy", "raid"));

TEST(BtrfsCollector, NoBtrfsEmitsNothing) {
  // node_exporter globs /sys/fs/btrfs/*-*: nothing found is an empty, successful collection.
  TempDir empty;
  EXPECT_EQ(collect_text("btrfs", fixture_paths(empty.path())), "");
  TempDir module_only;
  module_only.write("sys/fs/btrfs/features/raid1c34", "0\n");
  EXPECT_EQ(collect_text("btrfs", fixture_paths(module_only.path())), "");
}

constexpr std::string_view kUuid = "sys/fs/btrfs/0abb23a9-579b-43e6-ad30-227ef47fcb9d/";

TEST(BtrfsCollector, GarbageAndEmptyNumbersReadAsZero) {
  TempDir tree;
  tree.copy_fixture("storage/btrfs/healthy");
  std::string fs = tree.path() + "/" + std::string(kUuid);
  tree.write(std::string(kUuid) + "allocation/global_rsv_size", "\xff\x01 sixteen\n");
  tree.write(std::string(kUuid) + "allocation/data/single/used_bytes", "");
  tree.write(std::string(kUuid) + "allocation/data/single/total_bytes", "10737418");  // cut
  std::string out = collect_text("btrfs", fixture_paths(tree.path()));
  EXPECT_NE(out.find("node_btrfs_global_rsv_size_bytes{uuid=\"0abb23a9-579b-43e6-ad30-"
                     "227ef47fcb9d\"} 0\n"),
            std::string::npos);
  EXPECT_NE(out.find("node_btrfs_used_bytes{block_group_type=\"data\",mode=\"single\",uuid=\""
                     "0abb23a9-579b-43e6-ad30-227ef47fcb9d\"} 0\n"),
            std::string::npos);
  EXPECT_NE(
      out.find("mode=\"single\",uuid=\"0abb23a9-579b-43e6-ad30-227ef47fcb9d\"} 1.0737418e+07"),
      std::string::npos);
}

TEST(BtrfsCollector, MissingAttributesReadAsEmpty) {
  TempDir tree;
  tree.write("sys/fs/btrfs/7f07c59f-6136-449c-ab87-e1cf2328731b/allocation/system/.keep", "");
  EXPECT_EQ(collect_text("btrfs", fixture_paths(tree.path())),
            "# HELP node_btrfs_global_rsv_size_bytes Size of global reserve.\n"
            "# TYPE node_btrfs_global_rsv_size_bytes gauge\n"
            "node_btrfs_global_rsv_size_bytes{uuid=\"7f07c59f-6136-449c-ab87-e1cf2328731b\"} 0\n"
            "# HELP node_btrfs_info Filesystem information\n"
            "# TYPE node_btrfs_info gauge\n"
            "node_btrfs_info{label=\"\",uuid=\"7f07c59f-6136-449c-ab87-e1cf2328731b\"} 1\n"
            "# HELP node_btrfs_reserved_bytes Amount of space reserved for a data type\n"
            "# TYPE node_btrfs_reserved_bytes gauge\n"
            "node_btrfs_reserved_bytes{block_group_type=\"data\",uuid=\"7f07c59f-6136-449c-ab87-"
            "e1cf2328731b\"} 0\n"
            "node_btrfs_reserved_bytes{block_group_type=\"metadata\",uuid=\"7f07c59f-6136-449c-"
            "ab87-e1cf2328731b\"} 0\n"
            "node_btrfs_reserved_bytes{block_group_type=\"system\",uuid=\"7f07c59f-6136-449c-"
            "ab87-e1cf2328731b\"} 0\n");
}

TEST(BtrfsCollector, MissingSystemAllocationFails) {
  // procfs keeps the listing error of the last block group type it reads, system's.
  TempDir tree;
  tree.write("sys/fs/btrfs/7f07c59f-6136-449c-ab87-e1cf2328731b/label", "x\n");
  EXPECT_THROW(collect_text("btrfs", fixture_paths(tree.path())), FileError);
}

TEST(BtrfsCollector, OversizedAttributeFails) {
  TempDir tree;
  tree.copy_fixture("storage/btrfs/healthy");
  tree.write(std::string(kUuid) + "label", std::string(100 * 1024, 'l'));
  EXPECT_THROW(collect_text("btrfs", fixture_paths(tree.path())), FileError);
}

// A real btrfs filesystem on a loop device: the ioctl path (device sizes, unused bytes and error
// counters per device, labelled with the device UUID). Needs root and loop mounts.
TEST(BtrfsCollector, MountedFilesystemGetsIoctlDeviceStats) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a loop device";
  TempDir dir;
  std::string image = dir.path() + "/btrfs.img", mnt = dir.path() + "/mnt";
  std::string label = "nodeprobe-" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("truncate -s 300M " + image + " && mkfs.btrfs -q -L " + label + " " +
                         image + " >/dev/null && mkdir " + mnt)
                            .c_str()),
            0)
      << "mkfs.btrfs (btrfs-progs, scripts/install-deps.sh) failed";
  if (std::system(("mount -o loop " + image + " " + mnt + " 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "cannot mount a loop device here (needs CAP_SYS_ADMIN and /dev/loop*)";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { std::system(("umount " + path).c_str()); }
  } unmount{mnt};

  // The filesystem's UUID is the sysfs directory whose label is ours.
  std::string uuid;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/fs/btrfs")) {
    std::ifstream in(entry.path() / "label");
    std::string text;
    if (std::getline(in, text) && text == label) uuid = entry.path().filename();
  }
  ASSERT_FALSE(uuid.empty());
  std::string out = collect_text("btrfs", HostPaths{});
  EXPECT_NE(out.find("node_btrfs_info{label=\"" + label + "\",uuid=\"" + uuid + "\"} 1\n"),
            std::string::npos);
  for (const char* type : {"corruption", "flush", "generation", "read", "write"}) {
    EXPECT_NE(out.find("\",type=\"" + std::string(type) + "\",uuid=\"" + uuid + "\"} 0\n"),
              std::string::npos)
        << type;
  }
  auto at = out.find("node_btrfs_device_unused_bytes{btrfs_dev_uuid=\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(out.find("node_btrfs_device_size_bytes{btrfs_dev_uuid=\""), std::string::npos);
  EXPECT_NE(out.find("uuid=\"" + uuid + "\"} 3.145728e+08\n"), std::string::npos);  // 300 MiB
}

}  // namespace
}  // namespace nodeprobe

// Naming block devices for node_disk_io_latency_seconds as /proc/diskstats names them.
#include "collectors/ebpf_block_devices.h"

#include <gtest/gtest.h>

#include <string>

#include "collector_harness.h"

namespace nodeprobe {
namespace {

using testing::fixture_paths;
using testing::TempDir;

// The format of Documentation/admin-guide/iostats.rst: major, minor, name, then 17 counters
// (Linux >= 5.5; 11 before 4.18, 15 before 5.5).
constexpr const char* kDiskstats =
    " 254       0 vda 1208 11 96730 474 3541 2617 113832 3126 0 3512 3792 18 0 8456 3 190 188\n"
    "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    " 259       1 nvme0n1p1 412 0 9010 80 2 0 16 0 0 92 80\n"
    " 104       0 cciss!c0d0 12 0 96 4 0 0 0 0 0 4 4 0 0 0 0\n";

TEST(ParseDiskstatsNames, RealSample) {
  auto names = parse_diskstats_names(kDiskstats);
  ASSERT_EQ(names.size(), 4U);
  EXPECT_EQ(names.at({254, 0}), "vda");
  EXPECT_EQ(names.at({7, 0}), "loop0");
  EXPECT_EQ(names.at({259, 1}), "nvme0n1p1");
  EXPECT_EQ(names.at({104, 0}), "cciss!c0d0");
}

TEST(ParseDiskstatsNames, EmptyTruncatedAndGarbage) {
  EXPECT_TRUE(parse_diskstats_names("").empty());
  EXPECT_TRUE(parse_diskstats_names("\n\n").empty());
  EXPECT_TRUE(parse_diskstats_names(" 254 0 vd").empty());      // cut inside the name
  EXPECT_TRUE(parse_diskstats_names(" 254 0 vda").empty());     // no counters
  EXPECT_TRUE(parse_diskstats_names("x 0 vda 1 2 3").empty());  // major not a number
  EXPECT_TRUE(parse_diskstats_names("8 -1 sda 1 2 3").empty());
  EXPECT_TRUE(parse_diskstats_names("99999999999 0 sda 1 2 3").empty());  // past unsigned
  EXPECT_TRUE(parse_diskstats_names(std::string("\0\xff\x01 1 2", 8)).empty());
  // A good line after bad ones still counts.
  auto names = parse_diskstats_names("garbage\n8 0 sda 1 2 3 4\n");
  ASSERT_EQ(names.size(), 1U);
  EXPECT_EQ(names.at({8, 0}), "sda");
}

TEST(ParseDiskstatsNames, Oversized) {
  std::string big;
  for (unsigned minor = 0; minor < 20000; ++minor) {
    big +=
        "8 " + std::to_string(minor) + " sd" + std::to_string(minor) + " 1 2 3 4 5 6 7 8 9 10 11\n";
  }
  big += std::string(100000, 'x');  // and a huge line with no newline
  auto names = parse_diskstats_names(big);
  EXPECT_EQ(names.size(), 20000U);
  EXPECT_EQ(names.at({8, 19999}), "sd19999");
}

TEST(ParseUeventDevname, RealSamples) {
  EXPECT_EQ(parse_uevent_devname("MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\nDISKSEQ=1\n"),
            "vda");
  // The device node's path has a directory; diskstats spells the '/' as '!'.
  EXPECT_EQ(parse_uevent_devname("MAJOR=104\nMINOR=0\nDEVNAME=cciss/c0d0\nDEVTYPE=disk\n"),
            "cciss!c0d0");
}

TEST(ParseUeventDevname, EmptyTruncatedGarbageAndOversized) {
  EXPECT_FALSE(parse_uevent_devname(""));
  EXPECT_FALSE(parse_uevent_devname("MAJOR=254\nMINOR=0\n"));
  EXPECT_FALSE(parse_uevent_devname("MAJOR=254\nDEVNAME="));
  EXPECT_FALSE(parse_uevent_devname("DEVNAM"));
  EXPECT_FALSE(parse_uevent_devname(std::string("\0\0\0DEVNAME", 10)));
  EXPECT_EQ(parse_uevent_devname("MAJOR=8\nDEVNAME=sda"), "sda");  // no final newline
  std::string big(200000, 'k');
  big += "\nDEVNAME=sdb\n";
  EXPECT_EQ(parse_uevent_devname(big), "sdb");
}

TEST(BlockDeviceNames, DiskstatsThenUeventThenNumbers) {
  TempDir tree;
  tree.write("proc/diskstats", kDiskstats);
  tree.write("sys/dev/block/8:16/uevent", "MAJOR=8\nMINOR=16\nDEVNAME=sdb\nDEVTYPE=disk\n");
  tree.write("sys/dev/block/8:32/uevent", "MAJOR=8\nMINOR=32\n");
  BlockDeviceNames names(fixture_paths(tree.path()));
  names.refresh();
  EXPECT_EQ(names.name(254, 0), "vda");
  EXPECT_EQ(names.name(8, 16), "sdb");
  EXPECT_EQ(names.name(8, 32), "8:32");
  EXPECT_EQ(names.name(0, 0), "0:0");
}

TEST(BlockDeviceNames, NoDiskstatsFile) {
  TempDir tree;
  tree.write("sys/dev/block/254:0/uevent", "DEVNAME=vda\n");
  BlockDeviceNames names(fixture_paths(tree.path()));
  names.refresh();
  EXPECT_EQ(names.name(254, 0), "vda");
}

}  // namespace
}  // namespace nodeprobe

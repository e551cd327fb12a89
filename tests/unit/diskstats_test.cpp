#include "collectors/diskstats.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseDiskstats, EveryKernelLayout) {
  auto disks = parse_diskstats(
      // 4.18 and later: discards; 5.5 and later: flushes.
      "   8       0 sda 2094 518 181350 1467 5218 3641 164250 9846 0 8708 12640 1204 3 2450632 "
      "341 1070 985\n"
      " 253       0 dm-0 81234 0 4021338 51021 1200391 0 40212344 3020112 2 612200 3071133 0 0 0 "
      "0\n"
      "  11       0 sr0 17 0 1136 12764 0 0 0 0 0 28 12\n");
  ASSERT_EQ(disks.size(), 3u);
  EXPECT_EQ(disks[0].major, 8u);
  EXPECT_EQ(disks[0].minor, 0u);
  EXPECT_EQ(disks[0].name, "sda");
  ASSERT_EQ(disks[0].counters.size(), 17u);
  EXPECT_EQ(disks[0].counters[0], 2094u);
  EXPECT_EQ(disks[0].counters[13], 2450632u);
  EXPECT_EQ(disks[0].counters[16], 985u);
  EXPECT_EQ(disks[1].name, "dm-0");
  ASSERT_EQ(disks[1].counters.size(), 15u);
  EXPECT_EQ(disks[1].counters[8], 2u);
  EXPECT_EQ(disks[2].major, 11u);
  ASSERT_EQ(disks[2].counters.size(), 11u);
  EXPECT_EQ(disks[2].counters[3], 12764u);
}

TEST(ParseDiskstats, EmptyGivesNothing) {
  EXPECT_TRUE(parse_diskstats("").empty());
  EXPECT_TRUE(parse_diskstats("\n\n").empty());
}

TEST(ParseDiskstats, TruncatedLinesAreSkipped) {
  // Fewer than 14 fields is no kernel's layout (procfs skips them too).
  EXPECT_TRUE(parse_diskstats("   8       0 sda 2094 518 181350 1467 5218 3641 164250").empty());
  EXPECT_TRUE(parse_diskstats("   8       0").empty());
  auto disks = parse_diskstats(
      "  11       0 sr0 17 0 1136 12764 0 0 0 0 0 28 12\n   8       0 sda 2094 518");
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].name, "sr0");
}

TEST(ParseDiskstats, GarbageLinesAreSkipped) {
  auto disks = parse_diskstats(
      "\x7f"
      "ELF\x02\x01\x00\x00\xff\xfe\n"
      "   8       x sda 1 2 3 4 5 6 7 8 9 10 11\n"
      "   8       0 sda 1 2 3 4 5 6 7 8 9 -10 11\n"
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10 1e3\n"
      "   4294967296 0 big 1 2 3 4 5 6 7 8 9 10 11\n"
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 99999999999999999999999\n"
      "   8      16 sdb 1 2 3 4 5 6 7 8 9 10 11\n"s);
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].name, "sdb");
  EXPECT_EQ(disks[0].counters[10], 11u);
}

TEST(ParseDiskstats, FieldsPastTheTwentiethAreIgnored) {
  auto disks =
      parse_diskstats("8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 garbage");
  ASSERT_EQ(disks.size(), 1u);
  ASSERT_EQ(disks[0].counters.size(), 17u);
  EXPECT_EQ(disks[0].counters[16], 17u);
}

TEST(ParseDiskstats, OversizedInput) {
  std::string text;
  for (int i = 0; i < 50000; ++i) {
    text += "259 " + std::to_string(i) + " nvme" + std::to_string(i) +
            "n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n";
  }
  auto disks = parse_diskstats(text);
  ASSERT_EQ(disks.size(), 50000u);
  EXPECT_EQ(disks.back().name, "nvme49999n1");
  EXPECT_EQ(disks.back().minor, 49999u);
}

TEST(ParseUdevProperties, RealSample) {
  auto p = parse_udev_properties(
      "S:disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567\n"
      "W:7\n"
      "I:1645436\n"
      "E:ID_ATA=1\n"
      "E:ID_MODEL=WDC_WD40EFRX-68N32N0\n"
      "E:ID_MODEL_ENC=WDC\\x20WD40EFRX\n"
      "E:DM_LV_LAYER=\n"
      "E:DM_NAME=a=b\n"
      "G:systemd\n"
      "V:1\n");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p.at("ID_ATA"), "1");
  EXPECT_EQ(p.at("ID_MODEL_ENC"), "WDC\\x20WD40EFRX");  // kept as udev wrote it
  EXPECT_EQ(p.at("DM_LV_LAYER"), "");
  EXPECT_EQ(p.at("DM_NAME"), "a=b");
}

TEST(ParseUdevProperties, EmptyTruncatedGarbageAndOversized) {
  EXPECT_TRUE(parse_udev_properties("").empty());
  EXPECT_TRUE(parse_udev_properties("E:ID_MOD").empty());
  EXPECT_TRUE(parse_udev_properties("E").empty());
  auto garbage = parse_udev_properties("\xff\xfe\x00E:\n:=\nE:=x\nX:A=B\n e:ID=1\n"s);
  ASSERT_EQ(garbage.size(), 1u);  // "E:=x": an empty name, kept as udev would read it
  EXPECT_EQ(garbage.at(""), "x");
  std::string big;
  for (int i = 0; i < 100000; ++i)
    big += "E:K" + std::to_string(i) + "=" + std::to_string(i) + "\n";
  auto p = parse_udev_properties(big);
  ASSERT_EQ(p.size(), 100000u);
  EXPECT_EQ(p.at("K99999"), "99999");
}

// The golden file was checked against the real node_exporter 1.5 run on the same tree
// (--path.procfs, --path.udev.data): the same families, labels and values, line for line.
TEST(DiskstatsCollector, MatchesGolden) {
  expect_golden(collect_text("diskstats", fixture_paths("diskstats/host")),
                "diskstats/host.golden");
}

TEST(DiskstatsCollector, IncludeReplacesTheDefaultExclude) {
  auto text = collect_text("diskstats", fixture_paths("diskstats/host"),
                           {"--collector.diskstats.device-include=^(sda1|loop0)$"});
  EXPECT_NE(text.find("node_disk_reads_completed_total{device=\"sda1\"} 1950"), std::string::npos);
  EXPECT_NE(text.find("{device=\"loop0\"}"), std::string::npos);
  EXPECT_EQ(text.find("{device=\"sda\"}"), std::string::npos);
  EXPECT_EQ(text.find("nvme"), std::string::npos);
}

TEST(DiskstatsCollector, ExcludeAndDeprecatedFlag) {
  auto text = collect_text("diskstats", fixture_paths("diskstats/host"),
                           {"--collector.diskstats.device-exclude=^(sd|sr|dm-|zram|loop)"});
  EXPECT_NE(text.find("{device=\"nvme0n1p1\"}"), std::string::npos);
  EXPECT_EQ(text.find("sda"), std::string::npos);
  auto old = collect_text("diskstats", fixture_paths("diskstats/host"),
                          {"--collector.diskstats.ignored-devices=^(sd|sr|dm-|zram|loop)"});
  EXPECT_EQ(old, text);
}

TEST(DiskstatsCollector, ConflictingOrInvalidFlagsAreConfigErrors) {
  auto paths = fixture_paths("diskstats/host");
  EXPECT_THROW(testing::CollectorHarness("diskstats", paths,
                                         {"--collector.diskstats.device-exclude=^sd",
                                          "--collector.diskstats.device-include=^nvme"}),
               ConfigError);
  EXPECT_THROW(testing::CollectorHarness("diskstats", paths,
                                         {"--collector.diskstats.device-exclude=^sd",
                                          "--collector.diskstats.ignored-devices=^nvme"}),
               ConfigError);
  EXPECT_THROW(
      testing::CollectorHarness("diskstats", paths, {"--collector.diskstats.device-exclude=(("}),
      ConfigError);
}

TEST(DiskstatsCollector, WithoutUdevDataInfoHasEmptyLabels) {
  auto paths = fixture_paths("diskstats/host");
  paths.udev_data = "/nonexistent/udev/data";
  auto text = collect_text("diskstats", paths);
  EXPECT_NE(text.find("node_disk_info{device=\"sda\",major=\"8\",minor=\"0\",model=\"\",path=\"\","
                      "revision=\"\",serial=\"\",wwn=\"\"} 1"),
            std::string::npos);
  EXPECT_EQ(text.find("node_disk_ata_"), std::string::npos);
  EXPECT_EQ(text.find("node_disk_filesystem_info"), std::string::npos);
}

TEST(DiskstatsCollector, BrokenFiles) {
  // Empty: a host without block devices reports nothing, successfully.
  EXPECT_EQ(collect_text("diskstats", fixture_paths("diskstats/empty")), "");
  // Truncated: the complete lines are kept.
  expect_golden(collect_text("diskstats", fixture_paths("diskstats/truncated")),
                "diskstats/truncated.golden");
  // Garbage lines are skipped; the one good line is reported.
  auto garbage = collect_text("diskstats", fixture_paths("diskstats/garbage"));
  EXPECT_NE(garbage.find("node_disk_reads_completed_total{device=\"vda\"} 4242"),
            std::string::npos);
  // Missing: the collector fails, and the framework reports it.
  EXPECT_THROW(collect_text("diskstats", fixture_paths("diskstats/missing")), FileError);
}

TEST(DiskstatsCollector, OversizedUdevFileIsIgnored) {
  TempDir dir;
  dir.write("proc/diskstats", "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n");
  dir.write("udev/b8:0", "E:ID_MODEL=M\n" + std::string(300 * 1024, 'x') + "\n");
  auto text = collect_text("diskstats", fixture_paths(dir.path()));
  EXPECT_NE(text.find("node_disk_info{device=\"sda\",major=\"8\",minor=\"0\",model=\"\""),
            std::string::npos);
}

}  // namespace
}  // namespace nodeprobe

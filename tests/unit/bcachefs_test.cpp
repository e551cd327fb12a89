// The bcachefs collector: its parsers on literal sysfs texts (fs/bcachefs/sysfs.c's attribute
// files), and the collector on fixture trees of a two-device filesystem: healthy, degraded (a
// device read-only after read errors) and failing (a device failed, filesystem errors).
#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "collectors/bcachefs_sysfs.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(BcachefsHumanBytes, UnitsAndErrors) {
  EXPECT_EQ(bcachefs_human_bytes("405"), 405u);
  EXPECT_EQ(bcachefs_human_bytes("542k"), 555008u);
  EXPECT_EQ(bcachefs_human_bytes("1.5G"), 1610612736u);
  EXPECT_EQ(bcachefs_human_bytes(" 2.5T\n"), 2748779069440u);
  EXPECT_EQ(bcachefs_human_bytes(""), std::nullopt);
  EXPECT_EQ(bcachefs_human_bytes("1.5 GiB"), std::nullopt);
  EXPECT_EQ(bcachefs_human_bytes("\xff\x01"), std::nullopt);
  EXPECT_EQ(bcachefs_human_bytes(std::string(5000, '9')), std::nullopt);
}

TEST(ParseBcachefs, CompressionStats) {
  auto c = parse_bcachefs_compression(
      "typ   compressed    uncompressed     average extent size\n"
      "lz4:        112k         322M          48.0k\n"
      "none:\n");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ(c->at("lz4").compressed, 114688u);
  EXPECT_EQ(c->at("lz4").uncompressed, 337641472u);
  EXPECT_TRUE(parse_bcachefs_compression(""));
  EXPECT_FALSE(parse_bcachefs_compression("header\nlz4: 1x2 3\n"));
  EXPECT_FALSE(parse_bcachefs_compression("header\nlz4: 1 2 garbage\n"));
}

TEST(ParseBcachefs, Errors) {
  auto e = parse_bcachefs_errors("btree_node_read_err 5 1763700000\nchecksum_err 2\nshort\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->at("btree_node_read_err"), 5u);
  EXPECT_EQ(e->at("checksum_err"), 2u);
  EXPECT_EQ(e->size(), 2u);
  EXPECT_FALSE(parse_bcachefs_errors("checksum_err many\n"));
  EXPECT_FALSE(parse_bcachefs_errors("checksum_err 1 yesterday\n"));
}

TEST(ParseBcachefs, Counter) {
  EXPECT_EQ(parse_bcachefs_counter("since mount:\t\t1234\nsince filesystem creation:\t67890\n"),
            67890u);
  EXPECT_EQ(parse_bcachefs_counter("since mount: 2.05G\n"), 0u);
  EXPECT_EQ(parse_bcachefs_counter(""), std::nullopt);  // format not recognized
  EXPECT_EQ(parse_bcachefs_counter("since mount: lots\n"), std::nullopt);
  EXPECT_EQ(parse_bcachefs_counter("since filesystem creat"), std::nullopt);  // truncated
}

TEST(ParseBcachefs, BtreeWriteStats) {
  auto w = parse_bcachefs_btree_writes("   nr   size\ninitial: 19088 1.5k\ninterior: 77\n");
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ(w->at("initial").count, 19088u);
  EXPECT_EQ(w->at("initial").size, 1536u);
  EXPECT_FALSE(parse_bcachefs_btree_writes("nr size\ninitial: 1.5 1k\n"));
}

TEST(ParseBcachefs, IoDone) {
  auto d = parse_bcachefs_io_done(
      "sb : 1\nread:\nsb          :       4096\nbtree       : 4411097088\nwrite:\nuser : 7\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->at("read").at("btree"), 4411097088u);
  EXPECT_EQ(d->at("read").size(), 2u);  // the line before any section is skipped
  EXPECT_EQ(d->at("write").at("user"), 7u);
  EXPECT_FALSE(
      parse_bcachefs_io_done("read:\nbtree : 44110970"
                             "88x\n"));
  EXPECT_TRUE(parse_bcachefs_io_done("")->empty());
}

TEST(ParseBcachefs, IoErrorsTakesTheFilesystemLifetimeSection) {
  auto e = parse_bcachefs_io_errors(
      "IO errors since filesystem creation\n  read:    197346\n  write:   0\n"
      "IO errors since 3 d ago\n  read:    9\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->at("read"), 197346u);
  EXPECT_EQ(e->size(), 2u);
  EXPECT_FALSE(parse_bcachefs_io_errors("IO errors since filesystem creation\n  read: x\n"));
  EXPECT_TRUE(parse_bcachefs_io_errors("  read: x\n")->empty());  // outside the section
}

TEST(BcachefsMetricName, AsNodeExporterSanitizes) {
  EXPECT_EQ(bcachefs_metric_name("btree_node_read"), "btree_node_read");
  EXPECT_EQ(bcachefs_metric_name("journal-write"), "journal_write");
  EXPECT_EQ(bcachefs_metric_name("a_-_b"), "a_b");
  EXPECT_EQ(bcachefs_metric_name("a_-_-b"), "a__b");
  EXPECT_EQ(bcachefs_metric_name("x__y"), "x__y");
  EXPECT_EQ(bcachefs_metric_name("\xff.weird"), "_weird");
}

class BcachefsFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(BcachefsFixture, MatchesGolden) {
  std::string state = GetParam();
  expect_golden(collect_text("bcachefs", fixture_paths("storage/bcachefs/" + state)),
                "storage/bcachefs/" + state + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, BcachefsFixture,
                         ::testing::Values("healthy", "degraded", "failing"));

TEST(BcachefsCollector, NoBcachefsIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("bcachefs", fixture_paths(empty.path())), FeatureAbsent);
  TempDir module_only;  // the module is loaded but nothing is mounted
  module_only.write("sys/fs/bcachefs/.keep", "");
  EXPECT_THROW(collect_text("bcachefs", fixture_paths(module_only.path())), FeatureAbsent);
}

TEST(BcachefsCollector, MissingFilesReadAsEmpty) {
  TempDir tree;
  tree.write("sys/fs/bcachefs/deadbeef-0b0b-4c4c-9d9d-0123456789ab/dev-0/state", "rw\n");
  EXPECT_EQ(
      collect_text("bcachefs", fixture_paths(tree.path())),
      "# HELP node_bcachefs_btree_cache_size_bytes Btree cache memory usage in bytes.\n"
      "# TYPE node_bcachefs_btree_cache_size_bytes gauge\n"
      "node_bcachefs_btree_cache_size_bytes{uuid=\"deadbeef-0b0b-4c4c-9d9d-0123456789ab\"} 0\n"
      "# HELP node_bcachefs_device_bucket_size_bytes Bucket size in bytes.\n"
      "# TYPE node_bcachefs_device_bucket_size_bytes gauge\n"
      "node_bcachefs_device_bucket_size_bytes{device=\"0\",uuid=\"deadbeef-0b0b-4c4c-9d9d-"
      "0123456789ab\"} 0\n"
      "# HELP node_bcachefs_device_buckets Total number of buckets.\n"
      "# TYPE node_bcachefs_device_buckets gauge\n"
      "node_bcachefs_device_buckets{device=\"0\",uuid=\"deadbeef-0b0b-4c4c-9d9d-0123456789ab\"} "
      "0\n"
      "# HELP node_bcachefs_device_durability Device durability setting.\n"
      "# TYPE node_bcachefs_device_durability gauge\n"
      "node_bcachefs_device_durability{device=\"0\",uuid=\"deadbeef-0b0b-4c4c-9d9d-"
      "0123456789ab\"} 0\n"
      "# HELP node_bcachefs_device_info Device information.\n"
      "# TYPE node_bcachefs_device_info gauge\n"
      "node_bcachefs_device_info{device=\"0\",label=\"\",state=\"rw\",uuid=\"deadbeef-0b0b-4c4c-"
      "9d9d-0123456789ab\"} 1\n"
      "# HELP node_bcachefs_info Filesystem information.\n"
      "# TYPE node_bcachefs_info gauge\n"
      "node_bcachefs_info{uuid=\"deadbeef-0b0b-4c4c-9d9d-0123456789ab\"} 1\n");
}

TEST(BcachefsCollector, BrokenFilesFailTheCollection) {
  const std::string fs = "sys/fs/bcachefs/deadbeef-0b0b-4c4c-9d9d-0123456789ab/";
  // Garbage outside an io_done section is skipped, as procfs skips it; inside one it fails.
  const std::pair<const char*, const char*> broken[] = {
      {"btree_cache_size", "\x01\x02 garbage\n"},
      {"errors", "checksum_err \x01\x02\n"},
      {"counters/io_read", "\x01\x02 garbage\n"},
      {"dev-0/nbuckets",
       "40\x01"
       "96\n"},
      {"dev-0/io_done", "read:\nbtree : 12\x01x\n"},
      {"dev-1/bucket_size", "512 KiB\n"}};
  for (const auto& [file, text] : broken) {
    TempDir tree;
    tree.copy_fixture("storage/bcachefs/healthy");
    tree.write(fs + file, text);
    EXPECT_THROW(collect_text("bcachefs", fixture_paths(tree.path())), std::runtime_error) << file;
  }
  TempDir tree;
  tree.copy_fixture("storage/bcachefs/healthy");
  tree.write(fs + "dev-0/durability", "");  // empty: procfs's ParseUint refuses it
  EXPECT_THROW(collect_text("bcachefs", fixture_paths(tree.path())), std::runtime_error);
}

}  // namespace
}  // namespace nodeprobe

// The nvme collector on fixture trees of /sys/class/nvme (drivers/nvme/host/sysfs.c): live,
// resetting/connecting and dead/deleting controllers, and trees with attributes missing or odd.
#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

class NvmeFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(NvmeFixture, MatchesGolden) {
  std::string state = GetParam();
  expect_golden(collect_text("nvme", fixture_paths("storage/nvme/" + state)),
                "storage/nvme/" + state + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, NvmeFixture, ::testing::Values("healthy", "degraded", "failing"));

TEST(NvmeCollector, NoNvmeClassIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("nvme", fixture_paths(empty.path())), FeatureAbsent);
}

TEST(NvmeCollector, EmptyClassEmitsNothing) {
  TempDir tree;
  tree.write("sys/class/nvme/.keep", "");
  std::filesystem::remove(tree.path() + "/sys/class/nvme/.keep");
  EXPECT_EQ(collect_text("nvme", fixture_paths(tree.path())), "");
}

TEST(NvmeCollector, MissingAttributeReportsNoData) {
  // procfs refuses the whole class; node_exporter reports no data.
  TempDir tree;
  tree.write("sys/class/nvme/nvme0/model", "Some SSD\n");
  EXPECT_THROW(collect_text("nvme", fixture_paths(tree.path())), FeatureAbsent);
}

TEST(NvmeCollector, EmptyAndGarbageAttributesAreLabelValues) {
  TempDir tree;
  tree.write("sys/class/nvme/nvme0/firmware_rev", "");
  tree.write("sys/class/nvme/nvme0/model", "\xff\x01model");
  tree.write("sys/class/nvme/nvme0/serial", "  S123  \n");
  tree.write("sys/class/nvme/nvme0/state", "li");  // truncated
  EXPECT_EQ(collect_text("nvme", fixture_paths(tree.path())),
            "# HELP node_nvme_info Non-numeric data from /sys/class/nvme/<device>, value is "
            "always 1.\n"
            "# TYPE node_nvme_info gauge\n"
            "node_nvme_info{device=\"nvme0\",firmware_revision=\"\",model=\"\xef\xbf\xbd"
            "\x01"
            "model\",serial=\"S123\",state=\"li\"} 1\n");
}

TEST(NvmeCollector, OversizedAttributeFails) {
  TempDir tree;
  for (const char* f : {"firmware_rev", "model", "serial"})
    tree.write(std::string("sys/class/nvme/nvme0/") + f, "x\n");
  tree.write("sys/class/nvme/nvme0/state", std::string(100 * 1024, 'x'));
  EXPECT_THROW(collect_text("nvme", fixture_paths(tree.path())), std::runtime_error);
}

}  // namespace
}  // namespace nodeprobe

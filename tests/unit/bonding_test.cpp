// The bonding collector on fixture trees of the bonding sysfs (Documentation/networking/
// bonding.rst): all slaves up, some down, all down, and trees with files missing or broken.
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

class BondingFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(BondingFixture, MatchesGolden) {
  // degraded also has a master whose slave links use the older slave_<if> names.
  std::string state = GetParam();
  expect_golden(collect_text("bonding", fixture_paths("storage/bonding/" + state)),
                "storage/bonding/" + state + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, BondingFixture,
                         ::testing::Values("healthy", "degraded", "failing"));

TEST(BondingCollector, NoBondingModuleIsAnAbsentFeature) {
  TempDir tree;
  tree.write("sys/class/net/eth0/mtu", "1500\n");
  EXPECT_THROW(collect_text("bonding", fixture_paths(tree.path())), FeatureAbsent);
}

TEST(BondingCollector, EmptyMastersEmitsNothing) {
  TempDir tree;
  tree.write("sys/class/net/bonding_masters", "");
  EXPECT_EQ(collect_text("bonding", fixture_paths(tree.path())), "");
}

TEST(BondingCollector, MissingSlaveStatusReportsNoDataAtAll) {
  // node_exporter drops the whole collection (no partial output) when a slave vanished.
  TempDir tree;
  tree.write("sys/class/net/bonding_masters", "bond0 bond1\n");
  tree.write("sys/class/net/bond0/bonding/slaves", "eth0\n");
  tree.write("sys/class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n");
  tree.write("sys/class/net/bond1/bonding/slaves", "eth1\n");
  EXPECT_THROW(collect_text("bonding", fixture_paths(tree.path())), FeatureAbsent);
}

TEST(BondingCollector, GarbageStatusIsNotUp) {
  TempDir tree;
  tree.write("sys/class/net/bonding_masters", "bond0\n");
  tree.write("sys/class/net/bond0/bonding/slaves", "eth0 eth1\n");
  tree.write("sys/class/net/bond0/lower_eth0/bonding_slave/mii_status", "\xff\xfe\x01up");
  tree.write("sys/class/net/bond0/lower_eth1/bonding_slave/mii_status", "up");  // truncated
  EXPECT_EQ(collect_text("bonding", fixture_paths(tree.path())),
            "# HELP node_bonding_active Number of active slaves per bonding interface.\n"
            "# TYPE node_bonding_active gauge\n"
            "node_bonding_active{master=\"bond0\"} 1\n"
            "# HELP node_bonding_slaves Number of configured slaves per bonding interface.\n"
            "# TYPE node_bonding_slaves gauge\n"
            "node_bonding_slaves{master=\"bond0\"} 2\n");
}

TEST(BondingCollector, OversizedMastersFileFails) {
  TempDir tree;
  tree.write("sys/class/net/bonding_masters", std::string(200 * 1024, 'b'));
  EXPECT_THROW(collect_text("bonding", fixture_paths(tree.path())), std::runtime_error);
}

}  // namespace
}  // namespace nodeprobe

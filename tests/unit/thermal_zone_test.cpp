#include <gtest/gtest.h>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ThermalZoneCollector, MatchesGolden) {
  // Includes intel_powerclamp's cur_state of -1.
  expect_golden(collect_text("thermal_zone", fixture_paths("misc/host")),
                "misc/thermal_zone.golden");
}

TEST(ThermalZoneCollector, NegativeTemperaturesAndOddZoneNames) {
  TempDir tree;
  tree.write("sys/class/thermal/thermal_zone10/type", "sensor-outdoor\n");
  tree.write("sys/class/thermal/thermal_zone10/policy", "step_wise\n");
  tree.write("sys/class/thermal/thermal_zone10/temp", "-12500\n");
  tree.write("sys/class/thermal/thermal_zoneX/temp", "1\n");  // not thermal_zone[0-9]*
  EXPECT_EQ(collect_text("thermal_zone", fixture_paths(tree.path())),
            "# HELP node_thermal_zone_temp Zone temperature in Celsius\n"
            "# TYPE node_thermal_zone_temp gauge\n"
            "node_thermal_zone_temp{type=\"sensor-outdoor\",zone=\"10\"} -12.5\n");
}

TEST(ThermalZoneCollector, ZoneWithoutItsFilesIsNoData) {
  TempDir tree;
  tree.write("sys/class/thermal/thermal_zone0/type", "acpitz\n");
  EXPECT_THROW(collect_text("thermal_zone", fixture_paths(tree.path())), FeatureAbsent);
}

TEST(ThermalZoneCollector, CoolingDeviceWithGarbageStateFails) {
  TempDir tree;
  tree.write("sys/class/thermal/cooling_device0/type", "Fan\n");
  tree.write("sys/class/thermal/cooling_device0/max_state", "1\n");
  tree.write("sys/class/thermal/cooling_device0/cur_state", "on\n");
  EXPECT_THROW(collect_text("thermal_zone", fixture_paths(tree.path())), std::runtime_error);
}

}  // namespace
}  // namespace nodeprobe

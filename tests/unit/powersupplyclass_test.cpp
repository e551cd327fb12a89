#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(PowerSupplyClassCollector, MatchesGolden) {
  // A laptop battery in µWh, an AC adapter, a USB-C port and a mouse battery (scope Device).
  expect_golden(collect_text("powersupplyclass", fixture_paths("misc/host")),
                "misc/powersupplyclass.golden");
}

TEST(PowerSupplyClassCollector, IgnoredSuppliesUsesNodeExporterFlagName) {
  auto text = collect_text("powersupplyclass", fixture_paths("misc/host"),
                           {"--collector.powersupply.ignored-supplies=^(BAT0|ucsi-.*)$"});
  EXPECT_EQ(text.find("power_supply=\"BAT0\""), std::string::npos);
  EXPECT_EQ(text.find("ucsi-"), std::string::npos);
  EXPECT_NE(text.find("node_power_supply_online{power_supply=\"AC\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("power_supply=\"hidpp_battery_0\""), std::string::npos);
  // The collector's own name is not a flag group.
  EXPECT_THROW(collect_text("powersupplyclass", fixture_paths("misc/host"),
                            {"--collector.powersupplyclass.ignored-supplies=x"}),
               CLI::ParseError);
  EXPECT_THROW(collect_text("powersupplyclass", fixture_paths("misc/host"),
                            {"--collector.powersupply.ignored-supplies=["}),
               ConfigError);
}

TEST(PowerSupplyClassCollector, HexValuesAndRefusedAttributes) {
  TempDir tree;
  tree.write("sys/class/power_supply/ups/type", "UPS\n");
  tree.write("sys/class/power_supply/ups/capacity", "0x64\n");
  tree.write("sys/class/power_supply/ups/status/x", "");  // unreadable: a directory, skipped
  auto text = collect_text("powersupplyclass", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_power_supply_capacity{power_supply=\"ups\"} 100\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("node_power_supply_info{power_supply=\"ups\",type=\"UPS\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(PowerSupplyClassCollector, GarbageNumberFails) {
  TempDir tree;
  tree.write("sys/class/power_supply/BAT1/voltage_now", "12.3V\n");
  EXPECT_THROW(collect_text("powersupplyclass", fixture_paths(tree.path())), std::runtime_error);
}

}  // namespace
}  // namespace nodeprobe

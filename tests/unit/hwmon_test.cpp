#include "collectors/hwmon.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

void expect_name(std::string_view file, const char* type, int number, const char* property) {
  auto n = parse_hwmon_attribute_name(file);
  ASSERT_TRUE(n) << file;
  EXPECT_EQ(n->type, type) << file;
  EXPECT_EQ(n->number, number) << file;
  EXPECT_EQ(n->property, property) << file;
}

TEST(ParseHwmonAttributeName, SysfsInterfaceNames) {
  expect_name("temp1_input", "temp", 1, "input");
  expect_name("in0_min", "in", 0, "min");
  expect_name("fan12_alarm", "fan", 12, "alarm");
  expect_name("temp1_crit_alarm", "temp", 1, "crit_alarm");
  expect_name("temp1_auto_point1_pwm", "temp", 1, "auto_point1_pwm");
  expect_name("power1_average_interval", "power", 1, "average_interval");
  expect_name("pwm1", "pwm", 1, "");
  expect_name("vrm", "vrm", 0, "");
  expect_name("update_interval", "update_interval", 0, "");
  expect_name("beep_enable", "beep_enable", 0, "");
  expect_name("name", "name", 0, "");
  expect_name("temp01_input", "temp", 1, "input");
}

TEST(ParseHwmonAttributeName, NodeExporterQuirksAndRejects) {
  expect_name("temp_1x", "temp", 0, "1x");  // backtracking gives the digit to the property
  expect_name("\xff\xfe_x"s, "\xff\xfe_x", 0, "");
  EXPECT_FALSE(parse_hwmon_attribute_name(""));
  EXPECT_FALSE(parse_hwmon_attribute_name("1_input"));
  EXPECT_FALSE(parse_hwmon_attribute_name("temp1input"));
  EXPECT_FALSE(parse_hwmon_attribute_name("temp1_"));
  EXPECT_FALSE(parse_hwmon_attribute_name("temp99999999999_input"));
  EXPECT_FALSE(parse_hwmon_attribute_name(std::string(100000, '7')));
  expect_name(std::string(100000, 'x'), std::string(100000, 'x').c_str(), 0, "");
}

TEST(CleanHwmonName, NodeExporterRules) {
  EXPECT_EQ(clean_hwmon_name("coretemp\n"), "coretemp");
  EXPECT_EQ(clean_hwmon_name("coretemp.0"), "coretemp_0");
  EXPECT_EQ(clean_hwmon_name("Core 0"), "core_0");
  EXPECT_EQ(clean_hwmon_name("+3.3V"), "3_3v");
  EXPECT_EQ(clean_hwmon_name("0000:00:03.1"), "0000:00:03_1");
  EXPECT_EQ(clean_hwmon_name("__x__"), "x");
  EXPECT_EQ(clean_hwmon_name(""), "");
  EXPECT_EQ(clean_hwmon_name("..."), "");
  // One "_" per UTF-8 character, as Go's per-rune replacement gives.
  EXPECT_EQ(clean_hwmon_name("CPU °C"), "cpu__c");
  EXPECT_EQ(clean_hwmon_name("a\xe2\x82\xac"
                             "b"),
            "a_b");
}

TEST(HwmonCollector, MatchesGolden) {
  // Chips named by their device link, by the name attribute, and by the hwmon directory; an
  // old-style driver with its attributes on the device; an unparsable "95.0%" accuracy.
  expect_golden(collect_text("hwmon", fixture_paths("misc/host")), "misc/hwmon.golden");
}

TEST(HwmonCollector, ChipAndSensorFilters) {
  auto paths = fixture_paths("misc/host");
  expect_golden(collect_text("hwmon", paths,
                             {"--collector.hwmon.chip-include=^platform_coretemp_0$",
                              "--collector.hwmon.sensor-exclude=platform_coretemp_0;temp[23]"}),
                "misc/hwmon_filtered.golden");
  auto text = collect_text("hwmon", paths, {"--collector.hwmon.chip-exclude=^(platform|pci|i2c)"});
  EXPECT_EQ(text.find("platform_"), std::string::npos);
  EXPECT_NE(text.find("chip=\"acpitz\""), std::string::npos);
  EXPECT_NE(text.find("chip=\"hwmon4\""), std::string::npos);
  auto only = collect_text("hwmon", paths, {"--collector.hwmon.sensor-include=;fan1$"});
  EXPECT_EQ(only.find("sensor=\"temp1\""), std::string::npos);
  EXPECT_NE(only.find("node_hwmon_fan_rpm{chip=\"platform_nct6775_656\",sensor=\"fan1\"} 1245"),
            std::string::npos)
      << only;
}

TEST(HwmonCollector, BadRegexIsAConfigError) {
  EXPECT_THROW(
      collect_text("hwmon", fixture_paths("misc/host"), {"--collector.hwmon.chip-include=("}),
      ConfigError);
}

TEST(HwmonCollector, UnreadableValuesAreLeftOut) {
  TempDir tree;
  tree.write("sys/class/hwmon/hwmon0/name", "nvme\n");
  tree.write("sys/class/hwmon/hwmon0/temp1_input", "38850\n");
  tree.write("sys/class/hwmon/hwmon0/temp2_input", "N/A\n");
  tree.write("sys/class/hwmon/hwmon0/temp3_input/x", "");  // a directory: read fails
  tree.write("sys/class/hwmon/stray", "");                 // not a directory: skipped
  auto text = collect_text("hwmon", fixture_paths(tree.path()));
  EXPECT_EQ(text,
            "# HELP node_hwmon_chip_names Annotation metric for human-readable chip names\n"
            "# TYPE node_hwmon_chip_names gauge\n"
            "node_hwmon_chip_names{chip=\"nvme\",chip_name=\"nvme\"} 1\n"
            "# HELP node_hwmon_temp_celsius Hardware monitor for temperature (input)\n"
            "# TYPE node_hwmon_temp_celsius gauge\n"
            "node_hwmon_temp_celsius{chip=\"nvme\",sensor=\"temp1\"} 38.85\n");
}

TEST(HwmonCollector, DanglingDeviceLinkFallsBackToName) {
  TempDir tree;
  tree.write("sys/class/hwmon/hwmon0/name", "drivetemp\n");
  tree.write("sys/class/hwmon/hwmon0/temp1_input", "30000\n");
  std::filesystem::create_symlink("../../nowhere", tree.path() + "/sys/class/hwmon/hwmon0/device");
  auto text = collect_text("hwmon", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_hwmon_temp_celsius{chip=\"drivetemp\",sensor=\"temp1\"} 30"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace nodeprobe

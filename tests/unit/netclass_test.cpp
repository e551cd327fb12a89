#include "collectors/netclass.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseNetclassValue, RealSamples) {
  EXPECT_EQ(parse_netclass_value("1500\n"), 1500);
  EXPECT_EQ(parse_netclass_value("0x1003\n"), 4099);  // flags
  EXPECT_EQ(parse_netclass_value("0x0\n"), 0);        // dev_id
  EXPECT_EQ(parse_netclass_value("-1\n"), -1);        // speed of a link without one
  EXPECT_EQ(parse_netclass_value("0\n"), 0);
  EXPECT_EQ(parse_netclass_value("  42 \t\n"), 42);
}

TEST(ParseNetclassValue, GoBaseZeroPrefixes) {
  EXPECT_EQ(parse_netclass_value("010"), 8);
  EXPECT_EQ(parse_netclass_value("0o17"), 15);
  EXPECT_EQ(parse_netclass_value("0b101"), 5);
  EXPECT_EQ(parse_netclass_value("0XfF"), 255);
  EXPECT_EQ(parse_netclass_value("+7"), 7);
  EXPECT_EQ(parse_netclass_value("-0x10"), -16);
}

TEST(ParseNetclassValue, Limits) {
  EXPECT_EQ(parse_netclass_value("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_netclass_value("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_netclass_value("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_netclass_value(std::string(5000, '9')), std::nullopt);
}

TEST(ParseNetclassValue, EmptyTruncatedAndGarbage) {
  for (const char* bad : {"", "\n", "-", "0x", "0b", "08", "1.5", "12 34", "up", "0x1g", "--1",
                          "\x7f"
                          "ELF"}) {
    EXPECT_EQ(parse_netclass_value(bad), std::nullopt) << bad;
  }
}

TEST(NetclassCollector, MatchesGolden) {
  // eth0 is reached through a link into sys/devices, bonding_masters (a file) is no device,
  // lo and wlan0 lack the attributes a kernel refuses for them.
  expect_golden(collect_text("netclass", fixture_paths("net/host")), "net/host/netclass.golden");
}

TEST(NetclassCollector, IgnoredDevicesAndInvalidSpeed) {
  expect_golden(collect_text("netclass", fixture_paths("net/host"),
                             {"--collector.netclass.ignored-devices=^(lo|veth.*)$",
                              "--collector.netclass.ignore-invalid-speed"}),
                "net/host/netclass_ignored.golden");
}

TEST(NetclassCollector, InvalidRegexIsAConfigErrorNamingTheFlag) {
  try {
    CollectorHarness("netclass", fixture_paths("net/host"),
                     {"--collector.netclass.ignored-devices=[a-"});
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.netclass.ignored-devices");
  }
}

TEST(NetclassCollector, NoNetClassDirectoryIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("netclass", fixture_paths(empty.path())), FeatureAbsent);
}

TEST(NetclassCollector, UnparsableAttributeFailsNamingTheFile) {
  TempDir tree;
  tree.write("sys/class/net/eth0/operstate", "up\n");
  tree.write("sys/class/net/eth0/mtu", "lots\n");
  try {
    collect_text("netclass", fixture_paths(tree.path()));
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("eth0/mtu"), std::string::npos) << e.what();
  }
}

TEST(NetclassCollector, DeviceWithoutAttributesStillReportsUpAndInfo) {
  // A device that went away between listing and reading: every read fails with ENOENT.
  TempDir tree;
  std::filesystem::create_directories(tree.path() + "/sys/class/net/gone0");
  auto text = collect_text("netclass", fixture_paths(tree.path()));
  EXPECT_EQ(text,
            "# HELP node_network_info Non-numeric data from /sys/class/net/<iface>, value is "
            "always 1.\n"
            "# TYPE node_network_info gauge\n"
            "node_network_info{address=\"\",broadcast=\"\",device=\"gone0\",duplex=\"\","
            "ifalias=\"\",operstate=\"\"} 1\n"
            "# HELP node_network_up Value is 1 if operstate is 'up', 0 otherwise.\n"
            "# TYPE node_network_up gauge\n"
            "node_network_up{device=\"gone0\"} 0\n");
}

}  // namespace
}  // namespace nodeprobe

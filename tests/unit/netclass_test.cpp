#include "collectors/netclass.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/parse.h"
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

// --- rtnetlink for the attributes it carries, on this machine's own devices ------------------

// This machine's devices as /sys/class/net lists them.
std::vector<std::string> live_devices() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    if (!e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  return names;
}

TEST(NetclassLive, RtnetlinkAndSysfsGiveTheSameOutput) {
  HostPaths live;  // the real /sys, in this process's own network namespace
  if (live_devices().empty()) GTEST_SKIP() << "no /sys/class/net here";
  // Carrier changes could move between the two reads on a flapping link; this machine's do not.
  CollectorHarness with("netclass", live);
  CollectorHarness without("netclass", live, {"--no-collector.netclass.netlink"});
  std::string a = with.collect();
  std::string b = without.collect();
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("node_network_mtu_bytes{device=\"lo\"}"), std::string::npos) << a;
}

// A sysfs tree with this machine's device names and indexes, every device with mtu 1234 and the
// hardware address `address(name)`.
void write_lookalike(const TempDir& tree, std::string (*address)(const std::string& name)) {
  for (const auto& name : live_devices()) {
    std::string dir = "sys/class/net/" + name + "/";
    tree.write(dir + "ifindex", read_file("/sys/class/net/" + name + "/ifindex"));
    tree.write(dir + "address", address(name) + "\n");
    tree.write(dir + "mtu", "1234\n");
    tree.write(dir + "operstate", "up\n");
  }
}

// Whether the output gives `device` the look-alike tree's mtu of 1234.
bool tree_mtu(const std::string& text, const std::string& device) {
  return text.find("node_network_mtu_bytes{device=\"" + device + "\"} 1234\n") != std::string::npos;
}

TEST(NetclassLive, ASysfsOfOtherDevicesIsReadWhole) {
  if (live_devices().empty()) GTEST_SKIP() << "no /sys/class/net here";
  // Same names and indexes as this namespace's devices, other addresses: a pod's eth0 is not the
  // host's. Every value must come from the tree.
  TempDir tree;
  write_lookalike(tree, [](const std::string&) { return std::string("02:00:5e:00:53:01"); });
  auto text = collect_text("netclass", fixture_paths(tree.path()));
  for (const auto& name : live_devices()) EXPECT_TRUE(tree_mtu(text, name)) << name << "\n" << text;
}

TEST(NetclassLive, ASysfsOfTheSameDevicesIsReadThroughRtnetlink) {
  if (live_devices().empty()) GTEST_SKIP() << "no /sys/class/net here";
  // Names, indexes and addresses all those of this namespace: rtnetlink's values are taken, so
  // the tree's mtu of 1234 is not what is reported (no device here has that mtu).
  TempDir tree;
  write_lookalike(tree, [](const std::string& name) {
    return std::string(trim(read_file("/sys/class/net/" + name + "/address")));
  });
  auto text = collect_text("netclass", fixture_paths(tree.path()));
  for (const auto& name : live_devices())
    EXPECT_FALSE(tree_mtu(text, name)) << name << "\n" << text;
  EXPECT_NE(text.find("node_network_mtu_bytes{device=\"lo\"}"), std::string::npos) << text;
  // Without rtnetlink the tree is all there is.
  auto sysfs_only =
      CollectorHarness("netclass", fixture_paths(tree.path()), {"--no-collector.netclass.netlink"})
          .collect();
  EXPECT_TRUE(tree_mtu(sysfs_only, "lo"));
}

}  // namespace
}  // namespace nodeprobe

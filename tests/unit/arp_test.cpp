#include "collectors/arp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "collectors/device_filter.h"
#include "collectors/line_reader.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

constexpr const char* kHeader =
    "IP address       HW type     Flags       HW address            Mask     Device\n";

TEST(ParseArp, RealSample) {
  auto counts = parse_arp(
      std::string(kHeader) +
      "192.168.1.1      0x1         0x2         a0:36:9f:12:34:56     *        eth0\n"
      "192.168.1.99     0x1         0x0         00:00:00:00:00:00     *        eth0\n"
      "172.17.0.2       0x1         0x2         02:42:ac:11:00:02     *        docker0\n");
  EXPECT_EQ(counts, (ArpCounts{{"docker0", 1}, {"eth0", 2}}));
}

TEST(ParseArp, EmptyTruncatedGarbage) {
  EXPECT_TRUE(parse_arp("").empty());
  EXPECT_TRUE(parse_arp(kHeader).empty());
  EXPECT_TRUE(parse_arp(std::string(kHeader) + "192.168.1.1      0x1         0x2    ").empty());
  auto counts = parse_arp(
      "\x7f"
      "ELF\x02\x01\x00\xff\xfe\n"
      "a b c d e f g\n"
      "1 2 3 4 5\n"
      "garbage: not | a kernel: file\n"
      "10.0.0.300 0x1 0x2 02:42:ac:11:00:02 * eth7\n"
      "10.0.0.3 1 0x2 02:42:ac:11:00:02 * eth8\n"
      "10.0.0.3 0x1 0xZ 02:42:ac:11:00:02 * eth8\n"
      "10.0.0.4 0x1 0x2 02:42:ac:11:00:02 * eth9\n"s);
  EXPECT_EQ(counts, (ArpCounts{{"eth9", 1}}));
}

TEST(ParseArp, OversizedInput) {
  std::string text = kHeader;
  for (int i = 0; i < 100000; ++i) {
    text += "10.0." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) +
            " 0x1 0x2 02:42:ac:11:00:02 * eth" + std::to_string(i % 3) + "\n";
  }
  auto counts = parse_arp(text);
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts["eth0"] + counts["eth1"] + counts["eth2"], 100000u);
}

TEST(ArpCollector, MatchesGolden) {
  expect_golden(collect_text("arp", fixture_paths("net/host")), "net/host/arp.golden");
}

TEST(ArpCollector, IncludeAndExcludeBothApply) {
  auto include =
      collect_text("arp", fixture_paths("net/host"), {"--collector.arp.device-include=^eth"});
  EXPECT_EQ(include,
            "# HELP node_arp_entries ARP entries by device\n"
            "# TYPE node_arp_entries gauge\n"
            "node_arp_entries{device=\"eth0\"} 3\n");
  auto both =
      collect_text("arp", fixture_paths("net/host"),
                   {"--collector.arp.device-include=0$", "--collector.arp.device-exclude=docker"});
  EXPECT_NE(both.find("device=\"eth0\""), std::string::npos);
  EXPECT_NE(both.find("device=\"wlan0\""), std::string::npos);
  EXPECT_EQ(both.find("docker0"), std::string::npos);
}

TEST(ArpCollector, InvalidRegexIsAConfigErrorNamingTheFlag) {
  try {
    CollectorHarness("arp", fixture_paths("net/host"), {"--collector.arp.device-exclude=*eth"});
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.arp.device-exclude");
  }
}

TEST(ArpCollector, MissingFileIsAnError) {
  TempDir empty;
  EXPECT_THROW(collect_text("arp", fixture_paths(empty.path())), FileError);
}

TEST(DeviceFilter, NodeExporterSemantics) {
  DeviceFilter none;
  EXPECT_FALSE(none.ignored("eth0"));
  DeviceFilter exclude("^lo$", "--x", "", "--i");
  EXPECT_TRUE(exclude.ignored("lo"));
  EXPECT_FALSE(exclude.ignored("lo0"));
  DeviceFilter include("", "--x", "eth", "--i");
  EXPECT_FALSE(include.ignored("veth12"));  // unanchored
  EXPECT_TRUE(include.ignored("wlan0"));
  DeviceFilter both("^veth", "--x", "eth", "--i");
  EXPECT_TRUE(both.ignored("veth12"));
  EXPECT_FALSE(both.ignored("eth0"));
  try {
    DeviceFilter bad("", "--x", "(", "--collector.foo.device-include");
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.foo.device-include");
  }
}

std::vector<std::string> lines_of(const std::string& content, std::size_t max_line = 4096) {
  TempDir dir;
  dir.write("f", content);
  std::vector<std::string> lines;
  for_each_file_line(
      dir.path() + "/f", [&](std::string_view l) { lines.emplace_back(l); }, max_line);
  return lines;
}

TEST(ForEachFileLine, SplitsAcrossChunks) {
  EXPECT_TRUE(lines_of("").empty());
  EXPECT_EQ(lines_of("a\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(lines_of("a\n\nb\n"), (std::vector<std::string>{"a", "", "b"}));
  // Lines that straddle the 64 KiB chunk boundary come out whole.
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 30000; ++i) {
    expected.push_back("line " + std::to_string(i) + std::string(i % 13, 'x'));
    text += expected.back() + "\n";
  }
  EXPECT_EQ(lines_of(text), expected);
}

TEST(ForEachFileLine, OverlongLinesAreCut) {
  std::string huge(200000, 'z');
  auto lines = lines_of("short\n" + huge + "\nafter\n", 100);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], std::string(100, 'z'));
  EXPECT_EQ(lines[2], "after");
}

TEST(ForEachFileLine, MissingFileThrowsNotFound) {
  try {
    for_each_file_line("/nonexistent/nodeprobe/file", [](std::string_view) {});
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_TRUE(e.not_found());
  }
}

}  // namespace
}  // namespace nodeprobe

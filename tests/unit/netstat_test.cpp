#include "collectors/netstat.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseNetstat, RealSample) {
  auto fields = parse_netstat(
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens\n"
      "Tcp: 1 200 120000 -1 234567\n"
      "Udp: InDatagrams NoPorts\n"
      "Udp: 765432 1234\n");
  ASSERT_EQ(fields.size(), 7u);
  EXPECT_EQ(fields[0].protocol, "Tcp");
  EXPECT_EQ(fields[0].name, "RtoAlgorithm");
  EXPECT_EQ(fields[3].name, "MaxConn");
  EXPECT_EQ(fields[3].value, -1);
  EXPECT_EQ(fields[4].value, 234567);
  EXPECT_EQ(fields[6].protocol, "Udp");
  EXPECT_EQ(fields[6].name, "NoPorts");
  EXPECT_EQ(fields[6].value, 1234);
}

TEST(ParseNetstat, EmptyGivesNothing) {
  EXPECT_TRUE(parse_netstat("").empty());
  EXPECT_TRUE(parse_netstat("\n\n").empty());
}

TEST(ParseNetstat, UnpairedLinesCostOnlyTheirProtocol) {
  // The Ip values line is missing; Icmp's header must not be read as Ip's values.
  auto fields = parse_netstat(
      "Ip: Forwarding DefaultTTL\n"
      "Icmp: InMsgs InErrors\n"
      "Icmp: 4567 12\n"
      "Tcp: ActiveOpens PassiveOpens\n"
      "Tcp: 1 2 3\n"  // one value too many
      "Udp: InDatagrams\n"
      "Udp: 9\n"
      "UdpLite: InDatagrams\n");  // truncated: no values line
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].protocol, "Icmp");
  EXPECT_EQ(fields[1].name, "InErrors");
  EXPECT_EQ(fields[1].value, 12);
  EXPECT_EQ(fields[2].protocol, "Udp");
}

TEST(ParseNetstat, TruncatedValuesLine) {
  auto fields = parse_netstat("Tcp: ActiveOpens PassiveOpens\nTcp: 12");
  EXPECT_TRUE(fields.empty());
}

TEST(ParseNetstat, GarbageIsSkipped) {
  auto fields = parse_netstat(
      "\x7f"
      "ELF\x02\x01\x00\xff\xfe\n"
      "\x7f"
      "ELF\x02\x01\x00\xff\xfe\n"
      "Tcp ActiveOpens\nTcp 1\n"
      ": a\n: 1\n"
      "Tcp: ActiveOpens InSegs\n"
      "Tcp: lots 17\n"s);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].name, "InSegs");
  EXPECT_EQ(fields[0].value, 17);
}

TEST(ParseNetstat, OversizedInput) {
  std::string names = "TcpExt:", values = "TcpExt:";
  for (int i = 0; i < 50000; ++i) {
    names += " Field" + std::to_string(i);
    values += " " + std::to_string(i);
  }
  // The parsed names view into the text, so the text must outlive them.
  const std::string text = names + "\n" + values + "\n";
  auto fields = parse_netstat(text);
  ASSERT_EQ(fields.size(), 50000u);
  EXPECT_EQ(fields.back().name, "Field49999");
  EXPECT_EQ(fields.back().value, 49999);
}

TEST(ParseSnmp6, RealSample) {
  auto fields = parse_snmp6(
      "Ip6InReceives                   \t456789\n"
      "Icmp6InType133                  \t12\n"
      "UdpLite6InDatagrams             \t0\n"
      "Udp6InErrors                    \t1\n");
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].protocol, "Ip6");
  EXPECT_EQ(fields[0].name, "InReceives");
  EXPECT_EQ(fields[0].value, 456789);
  EXPECT_EQ(fields[1].protocol, "Icmp6");
  EXPECT_EQ(fields[1].name, "InType133");
  EXPECT_EQ(fields[2].protocol, "UdpLite6");
  EXPECT_EQ(fields[3].name, "InErrors");
}

TEST(ParseSnmp6, EmptyTruncatedGarbageOversized) {
  EXPECT_TRUE(parse_snmp6("").empty());
  EXPECT_TRUE(parse_snmp6("Ip6InReceives").empty());
  EXPECT_TRUE(parse_snmp6("Ip6InReceives   ").empty());
  EXPECT_TRUE(parse_snmp6("NoSixHere 12\nIp6 12\nIp6InX twelve\n\xff\xfe 1\n").empty());
  std::string big;
  for (int i = 0; i < 50000; ++i)
    big += "Ip6Field" + std::to_string(i) + " " + std::to_string(i) + "\n";
  auto fields = parse_snmp6(big);
  ASSERT_EQ(fields.size(), 50000u);
  EXPECT_EQ(fields.back().name, "Field49999");
}

TEST(NetstatCollector, DefaultFieldsMatchGolden) {
  expect_golden(collect_text("netstat", fixture_paths("net/host")), "net/host/netstat.golden");
}

TEST(NetstatCollector, EveryFieldWithACatchAllRegex) {
  expect_golden(
      collect_text("netstat", fixture_paths("net/host"), {"--collector.netstat.fields=.*"}),
      "net/host/netstat_all.golden");
}

TEST(NetstatCollector, MissingSnmp6IsIpv6Disabled) {
  TempDir tree;
  tree.copy_fixture("net/host");
  std::filesystem::remove(tree.path() + "/proc/net/snmp6");
  auto text = collect_text("netstat", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_netstat_Tcp_InSegs 9.8765432e+07\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Ip6"), std::string::npos);
  EXPECT_EQ(text.find("Udp6"), std::string::npos);
}

TEST(NetstatCollector, MissingNetstatOrSnmpIsAnError) {
  for (const char* file : {"/proc/net/netstat", "/proc/net/snmp"}) {
    TempDir tree;
    tree.copy_fixture("net/host");
    std::filesystem::remove(tree.path() + file);
    EXPECT_THROW(collect_text("netstat", fixture_paths(tree.path())), FileError) << file;
  }
}

TEST(NetstatCollector, InvalidRegexIsAConfigErrorNamingTheFlag) {
  try {
    CollectorHarness("netstat", fixture_paths("net/host"), {"--collector.netstat.fields=(Tcp"});
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.netstat.fields");
  }
}

}  // namespace
}  // namespace nodeprobe

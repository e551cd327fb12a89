#include "collectors/ipvs.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;

constexpr const char* kStats =
    "   Total Incoming Outgoing         Incoming         Outgoing\n"
    "   Conns  Packets  Packets            Bytes            Bytes\n"
    "      1F       A0        0        FFFFFFFFF               1\n"
    "\n"
    " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
    "       0        0        0                0               0\n";

TEST(IpvsStatsParser, ReadsTheHexTotals) {
  std::string error;
  auto s = parse_ipvs_stats(kStats, error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->connections, 31u);
  EXPECT_EQ(s->incoming_packets, 160u);
  EXPECT_EQ(s->incoming_bytes, 0xFFFFFFFFFull);
  EXPECT_EQ(s->outgoing_bytes, 1u);
}

TEST(IpvsStatsParser, RejectsEmptyTruncatedGarbageAndOversized) {
  std::string error;
  EXPECT_FALSE(parse_ipvs_stats("", error));
  EXPECT_FALSE(parse_ipvs_stats(std::string(kStats).substr(0, 120), error));
  EXPECT_FALSE(parse_ipvs_stats("a\nb\n1 2 3 4 zz\n", error));
  EXPECT_FALSE(parse_ipvs_stats("a\nb\n1 2 3 4\n", error));
  EXPECT_FALSE(parse_ipvs_stats("a\nb\n1 2 3 4 5 6\n", error));
  EXPECT_FALSE(parse_ipvs_stats("a\nb\n1 2 3 4 10000000000000000\n", error));
  EXPECT_FALSE(parse_ipvs_stats("a\nb\n" + std::string(1 << 20, '1') + "\n", error));
  EXPECT_FALSE(error.empty());
}

TEST(IpvsBackendParser, ReadsServicesOfEveryKind) {
  std::string error;
  auto b = parse_ipvs_backends(
      "IP Virtual Server version 1.2.1 (size=4096)\n"
      "Prot LocalAddress:Port Scheduler Flags\n"
      "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
      "TCP  C0A80016:0CEA wlc\n"
      "  -> C0A85216:0CEA      Tunnel  100    248        2\n"
      "FWM  10001000 wlc\n"
      "  -> [2001:0db8:0000:0000:0001:0000:0000:0001]:0050      Route   7      1          0\n",
      error);
  ASSERT_TRUE(b) << error;
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].local_address, "192.168.0.22");
  EXPECT_EQ((*b)[0].local_port, 3306);
  EXPECT_EQ((*b)[0].remote_address, "192.168.82.22");
  EXPECT_EQ((*b)[0].proto, "TCP");
  EXPECT_EQ((*b)[0].weight, 100u);
  EXPECT_EQ((*b)[0].active_connections, 248u);
  EXPECT_EQ((*b)[0].inactive_connections, 2u);
  EXPECT_EQ((*b)[1].local_address, "");
  EXPECT_EQ((*b)[1].local_port, 0);
  EXPECT_EQ((*b)[1].local_mark, "10001000");
  EXPECT_EQ((*b)[1].proto, "FWM");
  EXPECT_EQ((*b)[1].remote_address, "2001:db8::1:0:0:1");
  EXPECT_EQ((*b)[1].remote_port, 80);
}

TEST(IpvsBackendParser, FormatsIpv6AsGoDoes) {
  auto remote = [](const char* address) {
    std::string error;
    auto b = parse_ipvs_backends(
        std::string("TCP  0A000001:0050 rr\n  -> [") + address + "]:0050 Masq 1 0 0\n", error);
    EXPECT_TRUE(b) << error;
    return b && !b->empty() ? (*b)[0].remote_address : "";
  };
  EXPECT_EQ(remote("0000:0000:0000:0000:0000:0000:0000:0001"), "::1");
  EXPECT_EQ(remote("0000:0000:0000:0000:0000:ffff:0a00:0001"), "10.0.0.1");
  EXPECT_EQ(remote("2001:0db8:0000:0001:0000:0000:0000:0001"), "2001:db8:0:1::1");
  EXPECT_EQ(remote("2001:0db8:0000:0000:0001:0000:0000:0001"), "2001:db8::1:0:0:1");
  EXPECT_EQ(remote("fe80:0000:0001:0000:0001:0000:0001:0000"), "fe80:0:1:0:1:0:1:0");
}

TEST(IpvsBackendParser, EmptyAndHeaderOnlyHaveNoBackends) {
  std::string error;
  EXPECT_TRUE(parse_ipvs_backends("", error)->empty());
  EXPECT_TRUE(parse_ipvs_backends("IP Virtual Server version 1.2.1 (size=4096)\n", error)->empty());
  // A line with one field, which node_exporter's parser would index past.
  EXPECT_TRUE(parse_ipvs_backends("garbage\n", error)->empty());
  // Short "->" lines are skipped, as procfs does.
  EXPECT_TRUE(
      parse_ipvs_backends("TCP  0A000001:0050 rr\n  -> 0A000002:0050 Masq 1\n", error)->empty());
}

TEST(IpvsBackendParser, RejectsBadAddressesAndNumbers) {
  const char* bad[] = {
      "TCP  0A0001:0050 rr\n",
      "TCP  0A00000G:0050 rr\n",
      "TCP  0A000001:005Z rr\n",
      "TCP  [2001:0db8:0000:0000:0000:0000:0000:zzzz]:0050 rr\n",
      "TCP  0A000001:0050 rr\n  -> 0A000002:0050 Masq x 0 0\n",
      "TCP  0A000001:0050 rr\n  -> 0A000002:0050 Masq 1 0 -1\n",
      "TCP  0A000001:0050 rr\n  -> 0A000002 Masq 1 0 0\n",
  };
  for (const char* text : bad) {
    std::string error;
    EXPECT_FALSE(parse_ipvs_backends(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(IpvsCollector, MatchesGolden) {
  std::string out;
  for (const char* state :
       {"healthy", "degraded", "no_services", "no_backend_table", "truncated_stats",
        "garbage_stats", "empty_stats", "bad_address", "bad_counter", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out += describe_run("ipvs", fixture_paths(std::string("hardware/ipvs/") + state));
  }
  // Fewer labels: backends that then share their label values are summed.
  out += describe_run("ipvs", fixture_paths("hardware/ipvs/healthy"),
                      {"--collector.ipvs.backend-labels=proto,local_port"});
  // No labels at all (the agent reads "--flag=" as empty, as kingpin does): one sum.
  out += describe_run("ipvs", fixture_paths("hardware/ipvs/healthy"),
                      {"--collector.ipvs.backend-labels", ""});
  expect_golden(out, "hardware/ipvs.golden");
}

TEST(IpvsCollector, UnknownBackendLabelIsAConfigError) {
  try {
    testing::CollectorHarness("ipvs", fixture_paths("hardware/ipvs/healthy"),
                              {"--collector.ipvs.backend-labels=proto,zone,app,zone"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.ipvs.backend-labels");
    EXPECT_STREQ(e.what(),
                 "--collector.ipvs.backend-labels: unknown IPVS backend labels: \"app, zone\"");
  }
}

}  // namespace
}  // namespace nodeprobe

#include "collectors/netdev.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <map>
#include <set>
#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/netdev_netlink.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;

constexpr const char* kHeader =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n";

// --no-collector.netdev.netlink: the fixture tree is /proc/net/dev; netlink always reads the
// running kernel.
const std::vector<std::string> kProc = {"--no-collector.netdev.netlink"};

std::vector<std::string> proc_args(std::vector<std::string> more) {
  more.insert(more.begin(), kProc.begin(), kProc.end());
  return more;
}

TEST(ParseProcNetDev, RealSample) {
  auto devices = parse_proc_net_dev(
      std::string(kHeader) +
      "    lo: 48213397  312870    0    0    0     0          0         0 48213397  312870    0"
      "    0    0     0       0          0\n"
      "  eth0: 98765432101 81234567   12  345    0     7          0     45678 12345678901 "
      "23456789    0    3    0     0       2          0\n");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].first, "lo");
  EXPECT_EQ(devices[1].first, "eth0");
  const auto& eth0 = devices[1].second;
  EXPECT_EQ(eth0.size(), 16u);
  EXPECT_EQ(eth0.at("receive_bytes"), 98765432101u);
  EXPECT_EQ(eth0.at("receive_packets"), 81234567u);
  EXPECT_EQ(eth0.at("receive_errors"), 12u);
  EXPECT_EQ(eth0.at("receive_dropped"), 345u);
  EXPECT_EQ(eth0.at("receive_frame"), 7u);
  EXPECT_EQ(eth0.at("receive_multicast"), 45678u);
  EXPECT_EQ(eth0.at("transmit_bytes"), 12345678901u);
  EXPECT_EQ(eth0.at("transmit_dropped"), 3u);
  EXPECT_EQ(eth0.at("transmit_carrier"), 2u);
}

TEST(ParseProcNetDev, NameGluedToTheFirstCounter) {
  // Kernels before 2.6.x printed "%6s:%8lu": a long counter touches the colon.
  auto devices = parse_proc_net_dev(
      "eth0:123456789012 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
      "vethab12cd3:    3468      41    0    0    0     0          0         0     6362      62"
      "    0    0    0     0       0          0\n");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].second.at("receive_bytes"), 123456789012u);
  EXPECT_EQ(devices[0].second.at("transmit_compressed"), 15u);
  EXPECT_EQ(devices[1].first, "vethab12cd3");
}

TEST(ParseProcNetDev, EmptyAndHeaderOnly) {
  EXPECT_TRUE(parse_proc_net_dev("").empty());
  EXPECT_TRUE(parse_proc_net_dev(kHeader).empty());
}

TEST(ParseProcNetDev, TruncatedLineIsSkipped) {
  auto devices = parse_proc_net_dev(std::string(kHeader) +
                                    "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
                                    "  eth1:       0       0    0");
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].first, "eth0");
}

TEST(ParseProcNetDev, GarbageIsSkipped) {
  auto devices = parse_proc_net_dev(
      "\x7f"
      "ELF\x02\x01\x00\xff\xfe\n"
      ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "eth 0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
      "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -16\n"
      "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 99999999999999999999\n"
      "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "ok0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"s);
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].first, "ok0");
}

TEST(ParseProcNetDev, OversizedInput) {
  std::string text = kHeader;
  for (int i = 0; i < 20000; ++i) {
    text += "veth" + std::to_string(i) + ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 " +
            std::to_string(i) + "\n";
  }
  auto devices = parse_proc_net_dev(text);
  ASSERT_EQ(devices.size(), 20000u);
  EXPECT_EQ(devices.back().first, "veth19999");
  EXPECT_EQ(devices.back().second.at("transmit_compressed"), 19999u);
}

TEST(NetdevLegacyNames, ProcColumnsKeepTheirNamesButErrorsAndDrops) {
  auto devices = parse_proc_net_dev("eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  ASSERT_EQ(devices.size(), 1u);
  auto stats = devices[0].second;
  apply_legacy_names(stats);
  NetDevStats expected = {
      {"receive_bytes", 1},        {"receive_packets", 2},   {"receive_errs", 3},
      {"receive_drop", 4},         {"receive_fifo", 5},      {"receive_frame", 6},
      {"receive_compressed", 7},   {"receive_multicast", 8}, {"transmit_bytes", 9},
      {"transmit_packets", 10},    {"transmit_errs", 11},    {"transmit_drop", 12},
      {"transmit_fifo", 13},       {"transmit_colls", 14},   {"transmit_carrier", 15},
      {"transmit_compressed", 16},
  };
  EXPECT_EQ(stats, expected);
}

TEST(NetdevLegacyNames, NetlinkCountersFoldAsProcNetDevFoldsThem) {
  LinkStats raw{};
  for (std::size_t i = 0; i < kLinkStatsFields; ++i) raw[i] = 100 + i;
  auto stats = netlink_stats(raw);
  EXPECT_EQ(stats.size(), 24u);
  EXPECT_EQ(stats.at("receive_nohandler"), 123u);
  apply_legacy_names(stats);
  NetDevStats expected = {
      {"receive_packets", 100},
      {"transmit_packets", 101},
      {"receive_bytes", 102},
      {"transmit_bytes", 103},
      {"receive_errs", 104},
      {"transmit_errs", 105},
      {"receive_drop", 106 + 115},  // rx_dropped + rx_missed_errors
      {"transmit_drop", 107},
      {"receive_multicast", 108},
      {"transmit_colls", 109},
      {"receive_frame", 113 + 110 + 111 + 112},  // frame + length + over + crc
      {"receive_fifo", 114},
      {"transmit_carrier", 117 + 116 + 119 + 120},  // carrier + aborted + heartbeat + window
      {"transmit_fifo", 118},
      {"receive_compressed", 121},
      {"transmit_compressed", 122},
      {"receive_nohandler", 123},
  };
  EXPECT_EQ(stats, expected);
}

// Builds netlink datagrams the way the kernel lays them out (4-byte alignment everywhere).
class NetlinkBuilder {
 public:
  NetlinkBuilder& link(std::uint32_t seq, const std::string& name, const LinkStats* stats64,
                       std::size_t stats64_fields = kLinkStatsFields, bool stats32 = false) {
    std::string attrs;
    attr(attrs, IFLA_IFNAME, name + '\0');
    if (stats32) {
      std::string s;
      for (std::size_t i = 0; i < kLinkStatsFields; ++i) {
        std::uint32_t v = static_cast<std::uint32_t>(stats64 ? (*stats64)[i] : 0);
        s.append(reinterpret_cast<const char*>(&v), 4);
      }
      attr(attrs, IFLA_STATS, s);
    } else if (stats64) {
      attr(attrs, IFLA_STATS64,
           std::string(reinterpret_cast<const char*>(stats64->data()), stats64_fields * 8));
    }
    attr(attrs, IFLA_MTU, std::string(4, '\x05'));
    ifinfomsg info{};
    info.ifi_index = 2;
    message(RTM_NEWLINK, seq,
            std::string(reinterpret_cast<const char*>(&info), sizeof(info)) + attrs);
    return *this;
  }
  // A link with the properties netclass takes from it; short attributes where `short_attrs`.
  NetlinkBuilder& properties(std::uint32_t seq, const std::string& name, bool short_attrs = false) {
    auto u32 = [&](std::uint32_t v) {
      return short_attrs ? std::string(2, '\x01')
                         : std::string(reinterpret_cast<const char*>(&v), sizeof v);
    };
    auto u8 = [&](std::uint8_t v) {
      return short_attrs ? std::string() : std::string(1, static_cast<char>(v));
    };
    std::string attrs;
    attr(attrs, IFLA_IFNAME, name + '\0');
    attr(attrs, IFLA_MTU, u32(9000));
    attr(attrs, IFLA_TXQLEN, u32(1000));
    attr(attrs, IFLA_GROUP, u32(7));
    attr(attrs, IFLA_LINK, u32(12));
    attr(attrs, IFLA_OPERSTATE, u8(6));
    attr(attrs, IFLA_LINKMODE, u8(1));
    attr(attrs, IFLA_CARRIER, u8(1));
    attr(attrs, IFLA_CARRIER_CHANGES, u32(5));
    attr(attrs, IFLA_CARRIER_UP_COUNT, u32(3));
    attr(attrs, IFLA_CARRIER_DOWN_COUNT, u32(2));
    attr(attrs, IFLA_ADDRESS, std::string("\x3c\xec\xef\x12\x34\x56", 6));
    attr(attrs, IFLA_BROADCAST, std::string(6, '\xff'));
    attr(attrs, IFLA_IFALIAS, std::string("uplink") + '\0');
    ifinfomsg info{};
    info.ifi_index = 4;
    info.ifi_type = 1;  // ARPHRD_ETHER
    info.ifi_flags = 0x11043;
    message(RTM_NEWLINK, seq,
            std::string(reinterpret_cast<const char*>(&info), sizeof(info)) + attrs);
    return *this;
  }
  NetlinkBuilder& done(std::uint32_t seq, int code = 0) {
    message(NLMSG_DONE, seq, std::string(reinterpret_cast<const char*>(&code), sizeof(code)));
    return *this;
  }
  NetlinkBuilder& error(std::uint32_t seq, int code) {
    nlmsgerr err{};
    err.error = code;
    message(NLMSG_ERROR, seq, std::string(reinterpret_cast<const char*>(&err), sizeof(err)));
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  static void pad(std::string& s) { s.resize((s.size() + 3) & ~std::size_t{3}, '\0'); }
  static void attr(std::string& out, std::uint16_t type, const std::string& payload) {
    rtattr a{};
    a.rta_len = static_cast<std::uint16_t>(sizeof(rtattr) + payload.size());
    a.rta_type = type;
    out.append(reinterpret_cast<const char*>(&a), sizeof(a));
    out += payload;
    pad(out);
  }
  void message(std::uint16_t type, std::uint32_t seq, const std::string& payload) {
    nlmsghdr h{};
    h.nlmsg_len = static_cast<std::uint32_t>(sizeof(nlmsghdr) + payload.size());
    h.nlmsg_type = type;
    h.nlmsg_flags = NLM_F_MULTI;
    h.nlmsg_seq = seq;
    bytes_.append(reinterpret_cast<const char*>(&h), sizeof(h));
    bytes_ += payload;
    pad(bytes_);
  }
  std::string bytes_;
};

LinkStats counting_stats(std::uint64_t base) {
  LinkStats s{};
  for (std::size_t i = 0; i < kLinkStatsFields; ++i) s[i] = base + i;
  return s;
}

TEST(ParseRtnetlinkLinks, TwoLinksThenDone) {
  auto lo = counting_stats(1000), eth0 = counting_stats(5000000000ULL);
  NetlinkBuilder b;
  b.link(7, "lo", &lo).link(7, "eth0", &eth0).done(7);
  auto batch = parse_rtnetlink_links(b.bytes(), 7);
  EXPECT_TRUE(batch.done);
  EXPECT_FALSE(batch.malformed);
  EXPECT_EQ(batch.error, 0);
  ASSERT_EQ(batch.links.size(), 2u);
  EXPECT_EQ(batch.links[0].name, "lo");
  EXPECT_EQ(batch.links[1].name, "eth0");
  ASSERT_TRUE(batch.links[1].stats);
  EXPECT_EQ((*batch.links[1].stats)[2], 5000000002ULL);   // rx_bytes
  EXPECT_EQ((*batch.links[1].stats)[23], 5000000023ULL);  // rx_nohandler
}

TEST(ParseRtnetlinkLinks, OtherSequenceNumbersAreIgnored) {
  auto s = counting_stats(1);
  NetlinkBuilder b;
  b.link(6, "old", &s).link(7, "eth0", &s).done(6);
  auto batch = parse_rtnetlink_links(b.bytes(), 7);
  EXPECT_FALSE(batch.done);
  ASSERT_EQ(batch.links.size(), 1u);
  EXPECT_EQ(batch.links[0].name, "eth0");
}

TEST(ParseRtnetlinkLinks, OlderAndNewerStructSizes) {
  auto s = counting_stats(10);
  NetlinkBuilder b;
  // Before Linux 4.6 the struct ended before rx_nohandler; 5.19 added rx_otherhost_dropped.
  b.link(1, "old", &s, 23).done(1);
  auto batch = parse_rtnetlink_links(b.bytes(), 1);
  ASSERT_EQ(batch.links.size(), 1u);
  EXPECT_EQ((*batch.links[0].stats)[22], 32u);
  EXPECT_EQ((*batch.links[0].stats)[23], 0u);

  std::string longer = NetlinkBuilder().link(1, "new", &s).done(1).bytes();
  auto batch2 = parse_rtnetlink_links(longer, 1);
  ASSERT_EQ(batch2.links.size(), 1u);
  EXPECT_EQ((*batch2.links[0].stats)[23], 33u);
}

TEST(ParseRtnetlinkLinks, ThirtyTwoBitStatsWhenNoStats64) {
  auto s = counting_stats(3);
  NetlinkBuilder b;
  b.link(1, "ppp0", &s, kLinkStatsFields, /*stats32=*/true).link(1, "nostats", nullptr).done(1);
  auto batch = parse_rtnetlink_links(b.bytes(), 1);
  ASSERT_EQ(batch.links.size(), 2u);
  ASSERT_TRUE(batch.links[0].stats);
  EXPECT_EQ((*batch.links[0].stats)[0], 3u);
  EXPECT_FALSE(batch.links[1].stats);
}

TEST(ParseRtnetlinkLinks, TheDevicePropertiesNetclassTakes) {
  auto batch = parse_rtnetlink_links(NetlinkBuilder().properties(3, "eth0").done(3).bytes(), 3);
  ASSERT_EQ(batch.links.size(), 1u);
  const auto& l = batch.links[0];
  EXPECT_EQ(l.index, 4);
  EXPECT_EQ(l.type, 1);
  EXPECT_EQ(l.flags, 0x11043u);
  EXPECT_EQ(l.mtu, 9000u);
  EXPECT_EQ(l.tx_queue_len, 1000u);
  EXPECT_EQ(l.group, 7u);
  EXPECT_EQ(l.link, 12u);
  EXPECT_EQ(l.operstate, 6);
  EXPECT_EQ(l.link_mode, 1);
  EXPECT_EQ(l.carrier, 1);
  EXPECT_EQ(l.carrier_changes, 5u);
  EXPECT_EQ(l.carrier_up_count, 3u);
  EXPECT_EQ(l.carrier_down_count, 2u);
  EXPECT_EQ(l.address, std::string("\x3c\xec\xef\x12\x34\x56", 6));
  EXPECT_EQ(l.broadcast, std::string(6, '\xff'));
  EXPECT_EQ(l.alias, "uplink");
  EXPECT_FALSE(l.stats);
}

TEST(ParseRtnetlinkLinks, ShortPropertiesAreLeftEmpty) {
  // Attributes too short for their type (a kernel bug or garbage) are not read past their end.
  auto batch =
      parse_rtnetlink_links(NetlinkBuilder().properties(3, "eth0", true).done(3).bytes(), 3);
  ASSERT_EQ(batch.links.size(), 1u);
  const auto& l = batch.links[0];
  EXPECT_FALSE(l.mtu);
  EXPECT_FALSE(l.link);
  EXPECT_FALSE(l.carrier_changes);
  EXPECT_FALSE(l.operstate);
  EXPECT_FALSE(l.carrier);
  EXPECT_EQ(l.name, "eth0");
}

TEST(ParseRtnetlinkLinks, ErrorsAreReported) {
  auto batch = parse_rtnetlink_links(NetlinkBuilder().error(4, -EPERM).bytes(), 4);
  EXPECT_EQ(batch.error, -EPERM);
  auto done = parse_rtnetlink_links(NetlinkBuilder().done(4, -EINTR).bytes(), 4);
  EXPECT_TRUE(done.done);
  EXPECT_EQ(done.error, -EINTR);
  // An ACK (error 0) is not an error.
  auto ack = parse_rtnetlink_links(NetlinkBuilder().error(4, 0).bytes(), 4);
  EXPECT_EQ(ack.error, 0);
}

TEST(ParseRtnetlinkLinks, EmptyTruncatedAndGarbage) {
  auto empty = parse_rtnetlink_links("", 1);
  EXPECT_TRUE(empty.links.empty());
  EXPECT_FALSE(empty.done);

  auto s = counting_stats(1);
  std::string whole = NetlinkBuilder().link(1, "eth0", &s).done(1).bytes();
  // Every cut is either a short message (malformed) or a dump that has not ended yet.
  for (std::size_t cut = 1; cut < whole.size(); ++cut) {
    auto batch = parse_rtnetlink_links(std::string_view(whole).substr(0, cut), 1);
    EXPECT_FALSE(batch.done) << cut;
  }
  // An attribute claiming more bytes than its message holds.
  std::string bad = whole;
  auto at = sizeof(nlmsghdr) + sizeof(ifinfomsg);
  std::uint16_t huge = 60000;
  std::memcpy(bad.data() + at, &huge, 2);
  EXPECT_TRUE(parse_rtnetlink_links(bad, 1).malformed);

  std::string junk;
  std::uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245 + 12345;
    junk.push_back(static_cast<char>(x >> 16));
  }
  auto batch = parse_rtnetlink_links(junk, 1);
  EXPECT_TRUE(batch.links.empty());
}

TEST(ParseRtnetlinkLinks, OversizedDatagram) {
  auto s = counting_stats(1);
  NetlinkBuilder b;
  for (int i = 0; i < 5000; ++i) b.link(9, "veth" + std::to_string(i), &s);
  b.done(9);
  auto batch = parse_rtnetlink_links(b.bytes(), 9);
  EXPECT_TRUE(batch.done);
  ASSERT_EQ(batch.links.size(), 5000u);
  EXPECT_EQ(batch.links.back().name, "veth4999");
}

TEST(AddressScope, GoNetIpClasses) {
  using Bytes = std::vector<std::uint8_t>;
  EXPECT_EQ(address_scope(Bytes{127, 0, 0, 1}), "link-local");
  EXPECT_EQ(address_scope(Bytes{169, 254, 3, 4}), "link-local");
  EXPECT_EQ(address_scope(Bytes{224, 0, 0, 251}), "link-local");
  EXPECT_EQ(address_scope(Bytes{192, 168, 1, 2}), "global");  // Go counts private as global
  EXPECT_EQ(address_scope(Bytes{8, 8, 8, 8}), "global");
  EXPECT_EQ(address_scope(Bytes{239, 1, 2, 3}), "");
  EXPECT_EQ(address_scope(Bytes{255, 255, 255, 255}), "");
  EXPECT_EQ(address_scope(Bytes{0, 0, 0, 0}), "");
  Bytes v6(16, 0);
  EXPECT_EQ(address_scope(v6), "");
  v6[15] = 1;
  EXPECT_EQ(address_scope(v6), "link-local");  // ::1
  Bytes fe80 = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xfc, 0, 0xff, 0xfe, 0, 0, 1};
  EXPECT_EQ(address_scope(fe80), "link-local");
  Bytes ula = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  EXPECT_EQ(address_scope(ula), "global");
  Bytes ff01 = {0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(address_scope(ff01), "interface-local");
  Bytes ff02 = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(address_scope(ff02), "link-local");
  Bytes ff05 = {0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(address_scope(ff05), "");
  Bytes mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
  EXPECT_EQ(address_scope(mapped), "link-local");
  EXPECT_EQ(address_scope(Bytes{1, 2, 3}), "");
}

TEST(PrefixLength, ContiguousMasksOnly) {
  using Bytes = std::vector<std::uint8_t>;
  EXPECT_EQ(prefix_length(Bytes{255, 255, 255, 0}), 24);
  EXPECT_EQ(prefix_length(Bytes{255, 0, 0, 0}), 8);
  EXPECT_EQ(prefix_length(Bytes{0, 0, 0, 0}), 0);
  EXPECT_EQ(prefix_length(Bytes{255, 255, 255, 255}), 32);
  EXPECT_EQ(prefix_length(Bytes{255, 255, 255, 254}), 31);
  EXPECT_EQ(prefix_length(Bytes(16, 0xff)), 128);
  EXPECT_EQ(prefix_length(Bytes{255, 0, 255, 0}), std::nullopt);
  EXPECT_EQ(prefix_length(Bytes{0x7f, 0, 0, 0}), std::nullopt);
}

TEST(NetdevCollector, ProcNetDevMatchesGolden) {
  // The default exclude (^lo$) leaves lo out.
  expect_golden(collect_text("netdev", fixture_paths("net/host"), kProc), "net/host/netdev.golden");
}

TEST(NetdevCollector, DetailedMetricsKeepTheKernelsNames) {
  expect_golden(collect_text("netdev", fixture_paths("net/host"),
                             proc_args({"--collector.netdev.enable-detailed-metrics"})),
                "net/host/netdev_detailed.golden");
}

TEST(NetdevCollector, IncludePatternReplacesTheDefaultExclude) {
  auto text = collect_text("netdev", fixture_paths("net/host"),
                           proc_args({"--collector.netdev.device-include=^(lo|wlan0)$"}));
  EXPECT_NE(text.find("node_network_receive_bytes_total{device=\"lo\"} 4.8213397e+07\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{device=\"wlan0\"}"), std::string::npos);
  EXPECT_EQ(text.find("eth0"), std::string::npos);
  EXPECT_EQ(text.find("docker0"), std::string::npos);
}

TEST(NetdevCollector, ExcludePatternIsUnanchored) {
  auto text = collect_text("netdev", fixture_paths("net/host"),
                           proc_args({"--collector.netdev.device-exclude=eth|veth"}));
  std::set<std::string> devices;
  for_each_line(text, [&](std::string_view line) {
    auto at = line.find("device=\"");
    if (at == std::string_view::npos) return;
    auto end = line.find('"', at + 8);
    devices.emplace(line.substr(at + 8, end - at - 8));
  });
  EXPECT_EQ(devices, (std::set<std::string>{"docker0", "lo", "wlan0"}));
}

TEST(NetdevCollector, IncludeAndExplicitExcludeAreAConfigError) {
  try {
    CollectorHarness("netdev", fixture_paths("net/host"),
                     proc_args({"--collector.netdev.device-include=eth",
                                "--collector.netdev.device-exclude=veth"}));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.netdev.device-include");
    EXPECT_NE(std::string(e.what()).find("mutually exclusive"), std::string::npos);
  }
}

TEST(NetdevCollector, InvalidRegexIsAConfigErrorNamingTheFlag) {
  for (const char* flag :
       {"--collector.netdev.device-include", "--collector.netdev.device-exclude"}) {
    try {
      CollectorHarness("netdev", fixture_paths("net/host"), proc_args({std::string(flag) + "=("}));
      FAIL() << "no ConfigError for " << flag;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.flag(), flag);
    }
  }
}

TEST(NetdevCollector, MissingProcNetDevIsAnError) {
  testing::TempDir empty;
  EXPECT_THROW(collect_text("netdev", fixture_paths(empty.path()), kProc), FileError);
}

// The running kernel over netlink, node_exporter 1.5's default source: the same devices as
// /proc/net/dev, plus receive_nohandler which only netlink carries. RTM_GETLINK needs no
// privilege.
TEST(NetdevCollector, NetlinkSeesTheDevicesOfProcNetDev) {
  HostPaths host;  // the real /proc
  auto device_set = [](const std::string& text) {
    std::set<std::string> out;
    for_each_line(text, [&](std::string_view line) {
      if (!line.starts_with("node_network_receive_bytes_total{")) return;
      auto at = line.find("device=\"") + 8;
      out.emplace(line.substr(at, line.find('"', at) - at));
    });
    return out;
  };
  auto via_netlink = collect_text("netdev", host, {"--collector.netdev.device-exclude=^$"});
  auto via_proc = collect_text("netdev", host, proc_args({"--collector.netdev.device-exclude=^$"}));
  EXPECT_FALSE(device_set(via_netlink).empty());
  EXPECT_EQ(device_set(via_netlink), device_set(via_proc));
  EXPECT_NE(via_netlink.find("# TYPE node_network_receive_nohandler_total counter\n"),
            std::string::npos);
  EXPECT_EQ(via_proc.find("nohandler"), std::string::npos);
}

TEST(NetdevCollector, AddressInfoLabelsEveryAddress) {
  CollectorHarness netdev("netdev", HostPaths{}, {"--collector.netdev.address-info"});
  netdev.collect();
  EXPECT_TRUE(netdev.problems().empty());
  std::size_t addresses = 0;
  for (const auto& family : netdev.families()) {
    if (family.name != "node_network_address_info") continue;
    EXPECT_EQ(family.help, "node network address by device");
    for (const auto& m : family.metric) {
      ++addresses;
      ASSERT_EQ(m.label.size(), 4u);
      std::map<std::string, std::string> labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      EXPECT_FALSE(labels["device"].empty());
      EXPECT_TRUE(parse_uint(labels["netmask"]).has_value()) << labels["netmask"];
      if (labels["address"] == "127.0.0.1" || labels["address"] == "::1") {
        EXPECT_EQ(labels["scope"], "link-local");
      }
    }
  }
  // Every address getifaddrs reports, whatever the device filter says.
  EXPECT_EQ(addresses, interface_addresses().size());
}

}  // namespace
}  // namespace nodeprobe

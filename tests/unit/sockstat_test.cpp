#include "collectors/sockstat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseSockstat, RealSample) {
  auto stat = parse_sockstat(
      "sockets: used 1234\n"
      "TCP: inuse 87 orphan 2 tw 143 alloc 101 mem 400\n"
      "UDP: inuse 12 mem 7\n"
      "FRAG: inuse 0 memory 0\n");
  EXPECT_EQ(stat.sockets_used, 1234);
  ASSERT_EQ(stat.protocols.size(), 3u);
  EXPECT_EQ(stat.protocols[0].protocol, "TCP");
  ASSERT_EQ(stat.protocols[0].states.size(), 5u);
  EXPECT_EQ(stat.protocols[0].states[2].first, "tw");
  EXPECT_EQ(stat.protocols[0].states[2].second, 143);
  EXPECT_EQ(stat.protocols[0].states[4].first, "mem");
  EXPECT_EQ(stat.protocols[2].protocol, "FRAG");
  EXPECT_EQ(stat.protocols[2].states[1].first, "memory");
}

TEST(ParseSockstat, UnknownStatesAreLeftOut) {
  auto stat = parse_sockstat("TCP: inuse 3 pressure 1 mem 2\n");
  ASSERT_EQ(stat.protocols.size(), 1u);
  ASSERT_EQ(stat.protocols[0].states.size(), 2u);
  EXPECT_EQ(stat.protocols[0].states[1].first, "mem");
}

TEST(ParseSockstat, EmptyAndTruncated) {
  auto empty = parse_sockstat("");
  EXPECT_FALSE(empty.sockets_used);
  EXPECT_TRUE(empty.protocols.empty());
  auto cut = parse_sockstat("sockets: used 12\nTCP: inuse 87 orphan");
  EXPECT_EQ(cut.sockets_used, 12);
  EXPECT_TRUE(cut.protocols.empty());
  EXPECT_TRUE(parse_sockstat("TCP:").protocols.empty());
}

TEST(ParseSockstat, GarbageIsSkipped) {
  auto stat = parse_sockstat(
      "\x7f"
      "ELF\x02\x01\x00\xff\xfe\n"
      "TCP inuse 3\n"
      "TCP: inuse three\n"
      "T-P: inuse 3\n"
      ": inuse 3\n"
      "UDP: inuse 99999999999999999999\n"
      "RAW: inuse 1\n"s);
  EXPECT_FALSE(stat.sockets_used);
  ASSERT_EQ(stat.protocols.size(), 1u);
  EXPECT_EQ(stat.protocols[0].protocol, "RAW");
}

TEST(ParseSockstat, OversizedInput) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "P" + std::to_string(i) + ": inuse " + std::to_string(i) + "\n";
  auto stat = parse_sockstat(text);
  ASSERT_EQ(stat.protocols.size(), 20000u);
  EXPECT_EQ(stat.protocols.back().states[0].second, 19999);
}

TEST(SockstatCollector, MatchesGolden) {
  // node_sockstat_TCP_mem_bytes = mem * page size; the golden holds 4 KiB pages.
  if (::sysconf(_SC_PAGESIZE) != 4096) {
    GTEST_SKIP() << "the golden's *_mem_bytes assume 4 KiB pages; this host has "
                 << ::sysconf(_SC_PAGESIZE);
  }
  expect_golden(collect_text("sockstat", fixture_paths("net/host")), "net/host/sockstat.golden");
}

TEST(SockstatCollector, MemBytesIsPagesTimesPageSize) {
  TempDir tree;
  tree.write("proc/net/sockstat", "TCP: inuse 1 mem 3\n");
  testing::CollectorHarness sockstat("sockstat", fixture_paths(tree.path()));
  sockstat.collect();
  bool found = false;
  for (const auto& f : sockstat.families()) {
    if (f.name != "node_sockstat_TCP_mem_bytes") continue;
    found = true;
    EXPECT_EQ(f.metric.at(0).gauge.value, 3.0 * static_cast<double>(::sysconf(_SC_PAGESIZE)));
  }
  EXPECT_TRUE(found);
}

TEST(SockstatCollector, ProtocolLineWithoutInuseReportsZero) {
  TempDir tree;
  tree.write("proc/net/sockstat6", "FRAG6: memory 5\n");
  auto text = collect_text("sockstat", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_sockstat_FRAG6_inuse 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_sockstat_FRAG6_memory 5\n"), std::string::npos);
  EXPECT_EQ(text.find("sockets_used"), std::string::npos);
}

TEST(SockstatCollector, EitherFileAlone) {
  for (const char* missing : {"/proc/net/sockstat", "/proc/net/sockstat6"}) {
    TempDir tree;
    tree.copy_fixture("net/host");
    std::filesystem::remove(tree.path() + missing);
    auto text = collect_text("sockstat", fixture_paths(tree.path()));
    bool v6_left = std::string(missing).ends_with("6") == false;
    EXPECT_EQ(text.find("node_sockstat_TCP6_inuse") != std::string::npos, v6_left) << missing;
    EXPECT_EQ(text.find("node_sockstat_sockets_used") != std::string::npos, !v6_left) << missing;
  }
}

TEST(SockstatCollector, NoFilesIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("sockstat", fixture_paths(empty.path())), FeatureAbsent);
}

}  // namespace
}  // namespace nodeprobe

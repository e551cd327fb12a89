#include "collectors/udp_queues.h"

#include <gtest/gtest.h>

#include <cstdio>
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

constexpr const char* kUdpHeader =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode ref pointer drops            \n";

std::string udp_line(int slot, unsigned tx, unsigned rx) {
  char line[200];
  std::snprintf(line, sizeof(line),
                "%5d: 0100007F:0035 00000000:0000 07 %08X:%08X 00:00000000 00000000   101        0 "
                "%d 2 0000000000000000 0\n",
                slot, tx, rx, 20000 + slot);
  return line;
}

TEST(ParseUdpQueues, RealSample) {
  auto totals = parse_udp_queues(std::string(kUdpHeader) + udp_line(100, 0, 0) +
                                 udp_line(101, 0, 0x300) + udp_line(102, 0x240, 0x1200));
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->tx, 0x240u);
  EXPECT_EQ(totals->rx, 0x1500u);
}

TEST(ParseUdpQueues, Ipv6Line) {
  auto totals = parse_udp_queues(
      "  sl  local_address                         remote_address                        st "
      "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
      "   41: 000080FE00000000FF6B12AE5D3AFCFE:0222 00000000000000000000000000000000:0000 07 "
      "00000040:00000010 00:00000000 00000000     0        0 19877 2 0000000000000000 0\n");
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->tx, 0x40u);
  EXPECT_EQ(totals->rx, 0x10u);
}

TEST(ParseUdpQueues, EmptyAndHeaderOnlyAreZero) {
  for (std::string text : {""s, std::string(kUdpHeader)}) {
    auto totals = parse_udp_queues(text);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->tx, 0u);
    EXPECT_EQ(totals->rx, 0u);
  }
}

TEST(ParseUdpQueues, TruncatedOrGarbageLineRejectsTheFile) {
  std::string good = std::string(kUdpHeader) + udp_line(1, 1, 1);
  EXPECT_FALSE(parse_udp_queues(good + udp_line(2, 1, 1).substr(0, 50)));
  EXPECT_FALSE(parse_udp_queues(good + "\x7f"
                                       "ELF\x02\x01\x00\xff\xfe\n"s));
  std::string bad_queue = udp_line(3, 1, 1);
  bad_queue.replace(bad_queue.find("00000001:00000001"), 17, "0000000Z:00000001");
  EXPECT_FALSE(parse_udp_queues(good + bad_queue));
  std::string no_colon = udp_line(4, 1, 1);
  no_colon.replace(no_colon.find("00000001:00000001"), 17, "00000001_00000001");
  EXPECT_FALSE(parse_udp_queues(good + no_colon));
}

TEST(ParseUdpQueues, OversizedInput) {
  std::string text = kUdpHeader;
  for (int i = 0; i < 50000; ++i) text += udp_line(i, 1, 2);
  auto totals = parse_udp_queues(text);
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->tx, 50000u);
  EXPECT_EQ(totals->rx, 100000u);
}

TEST(UdpQueuesCollector, MatchesGolden) {
  expect_golden(collect_text("udp_queues", fixture_paths("net/host")),
                "net/host/udp_queues.golden");
}

TEST(UdpQueuesCollector, TableLargerThanTheReadCapIsStreamed) {
  // 20000 sockets is about 2.6 MB, past read_file's 1 MiB cap.
  TempDir tree;
  std::string text = kUdpHeader;
  for (int i = 0; i < 20000; ++i) text += udp_line(i, 3, 5);
  ASSERT_GT(text.size(), kDefaultReadCap);
  tree.write("proc/net/udp", text);
  auto out = collect_text("udp_queues", fixture_paths(tree.path()));
  EXPECT_NE(out.find("node_udp_queues{ip=\"v4\",queue=\"tx\"} 60000\n"), std::string::npos) << out;
  EXPECT_NE(out.find("node_udp_queues{ip=\"v4\",queue=\"rx\"} 100000\n"), std::string::npos);
  EXPECT_EQ(out.find("v6"), std::string::npos);  // no udp6: IPv6 disabled
}

TEST(UdpQueuesCollector, MalformedLineIsAnError) {
  TempDir tree;
  tree.write("proc/net/udp", std::string(kUdpHeader) + "  1: 0100007F:0035\n");
  EXPECT_THROW(collect_text("udp_queues", fixture_paths(tree.path())), std::runtime_error);
}

TEST(UdpQueuesCollector, NoFilesIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("udp_queues", fixture_paths(empty.path())), FeatureAbsent);
}

}  // namespace
}  // namespace nodeprobe

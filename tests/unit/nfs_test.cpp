// The parsers of collectors/nfs_rpc.h (client and server) and the nfs collector.
#include <gtest/gtest.h>

#include <string>

#include "collectors/nfs_rpc.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;

std::string counted_line(const char* key, int count, std::uint64_t first = 1) {
  std::string line = std::string(key) + " " + std::to_string(count);
  for (int i = 0; i < count; ++i) line += " " + std::to_string(first + i);
  return line + "\n";
}

TEST(NfsClientParser, ReadsEveryLine) {
  std::string error;
  auto s =
      parse_nfs_client_stats("net 10 4 6 2\nrpc 100 3 1\n" + counted_line("proc2", 18) +
                                 counted_line("proc3", 22, 100) + counted_line("proc4", 59, 1000),
                             error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->network.udp, 4u);
  EXPECT_EQ(s->network.tcp, 6u);
  EXPECT_EQ(s->network.tcp_connections, 2u);
  EXPECT_EQ(s->rpc_calls, 100u);
  EXPECT_EQ(s->rpc_retransmissions, 3u);
  EXPECT_EQ(s->rpc_auth_refreshes, 1u);
  EXPECT_EQ(s->v2.front(), 1u);
  EXPECT_EQ(s->v2.back(), 18u);
  EXPECT_EQ(s->v3.back(), 121u);
  EXPECT_EQ(s->v4[0], 1000u);
  EXPECT_EQ(s->v4[58], 1058u);
}

TEST(NfsClientParser, PadsShortAndCutsLongNfsV4Lines) {
  std::string error;
  auto old_kernel = parse_nfs_client_stats(counted_line("proc4", 48), error);
  ASSERT_TRUE(old_kernel) << error;
  EXPECT_EQ(old_kernel->v4[47], 48u);
  EXPECT_EQ(old_kernel->v4[48], 0u);
  auto new_kernel = parse_nfs_client_stats(counted_line("proc4", 69), error);
  ASSERT_TRUE(new_kernel) << error;
  EXPECT_EQ(new_kernel->v4[58], 59u);
}

TEST(NfsClientParser, EmptyFileIsAllZero) {
  std::string error;
  auto s = parse_nfs_client_stats("", error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->rpc_calls, 0u);
}

TEST(NfsClientParser, RejectsWhatProcfsRejects) {
  const char* bad[] = {
      "net 1 2 3\n",       // three numbers where four belong
      "rpc 1 2 3 4\n",     // four where three belong
      "rpc 1 x 3\n",       // garbage
      "rpc -1 0 0\n",      // negative
      "rpc 1 0 0\n\n",     // an empty line
      "net\n",             // a key alone
      "proc3 22 1 2 3\n",  // truncated: fewer than the count says
      "proc2 17 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",  // fewer than 18 procedures
      "proc9 1 1\n",                                           // unknown key
      "rpc 99999999999999999999 0 0\n",                        // overflows 64 bits
  };
  for (const char* text : bad) {
    std::string error;
    EXPECT_FALSE(parse_nfs_client_stats(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(NfsClientParser, OversizedInputIsRejectedNotTrusted) {
  std::string huge = "proc4 1000000";
  for (int i = 0; i < 200000; ++i) huge += " 7";
  std::string error;
  EXPECT_FALSE(parse_nfs_client_stats(huge, error));
  std::string long_garbage(1 << 20, 'x');
  EXPECT_FALSE(parse_nfs_client_stats(long_garbage, error));
}

TEST(NfsServerParser, ReadsEveryLine) {
  std::string error;
  auto s = parse_nfs_server_stats(
      "rc 1 2 3\nfh 4 0 0 0 0\nio 5 6\nth 7 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 "
      "0.000 0.000\nra 8 0 0 0 0 0 0 0 0 0 0 9\nnet 10 11 12 13\nrpc 14 15 16 17 18\n" +
          counted_line("proc2", 18) + counted_line("proc3", 22, 100) + "proc4 2 0 5\n" +
          counted_line("proc4ops", 40, 1000) + "wdeleg_getattr 19\n",
      error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->reply_cache_hits, 1u);
  EXPECT_EQ(s->reply_cache_nocache, 3u);
  EXPECT_EQ(s->file_handles_stale, 4u);
  EXPECT_EQ(s->bytes_written, 6u);
  EXPECT_EQ(s->threads, 7u);
  EXPECT_EQ(s->read_ahead_cache_size, 8u);
  EXPECT_EQ(s->read_ahead_cache_not_found, 9u);
  EXPECT_EQ(s->network.tcp_connections, 13u);
  EXPECT_EQ(s->rpc_calls, 14u);
  EXPECT_EQ(s->rpc_bad_format, 16u);
  EXPECT_EQ(s->rpc_bad_auth, 17u);
  EXPECT_EQ(s->rpc_bad_client, 18u);
  EXPECT_EQ(s->v3[21], 121u);
  EXPECT_EQ(s->v4_ops[39], 1039u);
  EXPECT_EQ(s->wdeleg_getattr, 19u);
}

TEST(NfsServerParser, NfsV40ServerHasNoRelLockOwner) {
  std::string error;
  auto s = parse_nfs_server_stats(counted_line("proc4ops", 39), error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->v4_ops[38], 39u);
  EXPECT_EQ(s->v4_ops[39], 0u);
}

TEST(NfsServerParser, ThreadHistogramIsNotRead) {
  std::string error;
  auto s = parse_nfs_server_stats("th 16 3 not numbers at all\n", error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->threads, 16u);
}

TEST(NfsServerParser, EmptyFileIsAllZero) {
  std::string error;
  auto s = parse_nfs_server_stats("", error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->threads, 0u);
}

TEST(NfsServerParser, RejectsWhatProcfsRejects) {
  const char* bad[] = {
      "rc 1 2\n",         // truncated
      "th 16\n",          // th without its second number
      "ra 1 2 3\n",       // ra with 3 of 12
      "rpc 1 2 3 4\n",    // rpc with 4 of 5
      "proc4 3 1 2 3\n",  // the server's proc4 has exactly two
      "proc4ops 38 "
      "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n",
      "io 1 two\n",          // garbage
      "rc 0 1 2\n\n",        // empty line
      "future_counter 7\n",  // unknown key
  };
  for (const char* text : bad) {
    std::string error;
    EXPECT_FALSE(parse_nfs_server_stats(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(NfsServerParser, OversizedInputIsRejected) {
  std::string huge = "proc4ops 5";
  for (int i = 0; i < 200000; ++i) huge += " 7";
  std::string error;
  EXPECT_FALSE(parse_nfs_server_stats(huge, error));
}

TEST(NfsCollector, MatchesGolden) {
  std::string out;
  for (const char* state :
       {"healthy", "old_kernel", "empty", "truncated", "garbage", "unknown_line", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out += describe_run("nfs", fixture_paths(std::string("hardware/nfs/") + state));
  }
  expect_golden(out, "hardware/nfs.golden");
}

}  // namespace
}  // namespace nodeprobe

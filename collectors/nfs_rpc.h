#pragma once

// Parsers for the sunrpc statistics of the NFS client (/proc/net/rpc/nfs, fs/nfs/... via
// net/sunrpc/stats.c rpc_proc_show) and server (/proc/net/rpc/nfsd, fs/nfsd/stats.c
// nfsd_show). Each line is "<key> <unsigned> ..."; the procN lines start with the count of
// the numbers that follow. The rules (which keys, how many numbers) are prometheus/procfs's
// nfs package, so that a file node_exporter rejects is rejected here too.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nodeprobe {

// The "net" line: packets (all, udp, tcp) and tcp connections.
struct RpcNetwork {
  std::uint64_t packets = 0;
  std::uint64_t udp = 0;
  std::uint64_t tcp = 0;
  std::uint64_t tcp_connections = 0;
};

// Procedure names of the proc2/proc3 lines, in the kernel's order (Null first).
extern const std::array<std::string_view, 18> kNfsV2Procedures;
extern const std::array<std::string_view, 22> kNfsV3Procedures;
// The client's proc4 line as procfs names it (59 procedures, Null first).
extern const std::array<std::string_view, 59> kNfsClientV4Procedures;
// The server's proc4ops line as procfs names it (40 operations, OP 0 first).
extern const std::array<std::string_view, 40> kNfsdV4Operations;

// /proc/net/rpc/nfs. Absent lines leave zeros, as in procfs.
struct NfsClientStats {
  RpcNetwork network;
  std::uint64_t rpc_calls = 0;
  std::uint64_t rpc_retransmissions = 0;
  std::uint64_t rpc_auth_refreshes = 0;
  std::array<std::uint64_t, 18> v2{};
  std::array<std::uint64_t, 22> v3{};
  std::array<std::uint64_t, 59> v4{};
};

// /proc/net/rpc/nfsd. Absent lines leave zeros, as in procfs.
struct NfsServerStats {
  std::uint64_t reply_cache_hits = 0, reply_cache_misses = 0, reply_cache_nocache = 0;
  std::uint64_t file_handles_stale = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t threads = 0;
  std::uint64_t read_ahead_cache_size = 0, read_ahead_cache_not_found = 0;
  RpcNetwork network;
  std::uint64_t rpc_calls = 0, rpc_bad_format = 0, rpc_bad_auth = 0, rpc_bad_client = 0;
  std::array<std::uint64_t, 18> v2{};
  std::array<std::uint64_t, 22> v3{};
  std::array<std::uint64_t, 40> v4_ops{};
  std::uint64_t wdeleg_getattr = 0;  // Linux 6.6+
};

// nullopt with a message in `error` for a line procfs rejects (unknown key, wrong count,
// non-numeric field, empty line).
std::optional<NfsClientStats> parse_nfs_client_stats(std::string_view text, std::string& error);
std::optional<NfsServerStats> parse_nfs_server_stats(std::string_view text, std::string& error);

}  // namespace nodeprobe

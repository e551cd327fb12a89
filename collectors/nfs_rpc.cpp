#include "collectors/nfs_rpc.h"

#include <algorithm>
#include <span>
#include <vector>

#include "agent/parse.h"

namespace nodeprobe {

const std::array<std::string_view, 18> kNfsV2Procedures = {
    "Null",   "GetAttr", "SetAttr", "Root", "Lookup",  "ReadLink", "Read",  "WrCache", "Write",
    "Create", "Remove",  "Rename",  "Link", "SymLink", "MkDir",    "RmDir", "ReadDir", "FsStat"};

const std::array<std::string_view, 22> kNfsV3Procedures = {
    "Null",    "GetAttr",     "SetAttr", "Lookup", "Access",   "ReadLink", "Read",   "Write",
    "Create",  "MkDir",       "SymLink", "MkNod",  "Remove",   "RmDir",    "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat",  "FsInfo", "PathConf", "Commit"};

// The kernel prints LAYOUTGET before GETDEVICEINFO (enum nfsproc4_clnt); procfs maps the two
// the other way round. The names follow procfs, so the values match node_exporter's.
// clang-format off
const std::array<std::string_view, 59> kNfsClientV4Procedures = {
    "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade",
    "Close", "Setattr", "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock", "Lockt",
    "Locku", "Access", "Getattr", "Lookup", "LookupRoot", "Remove", "Rename", "Link", "Symlink",
    "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps", "DelegReturn", "GetACL",
    "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo", "FsidPresent", "ExchangeID",
    "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete",
    "GetDeviceInfo", "LayoutGet", "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID",
    "FreeStateID", "GetDeviceList", "BindConnToSession", "DestroyClientID", "Seek", "Allocate",
    "DeAllocate", "LayoutStats", "Clone"};
// clang-format on

// clang-format off
const std::array<std::string_view, 40> kNfsdV4Operations = {
    "Op0Unused", "Op1Unused", "Op2Future", "Access", "Close", "Commit", "Create", "DelegPurge",
    "DelegReturn", "GetAttr", "GetFH", "Link", "Lock", "Lockt", "Locku", "Lookup", "LookupRoot",
    "Nverify", "Open", "OpenAttr", "OpenConfirm", "OpenDgrd", "PutFH", "PutPubFH", "PutRootFH",
    "Read", "ReadDir", "ReadLink", "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo",
    "SetAttr", "SetClientID", "SetClientIDConfirm", "Verify", "Write", "RelLockOwner"};
// clang-format on

namespace {

using Values = std::vector<std::uint64_t>;

// One line split into its key and numbers; false (with `error`) for a line procfs rejects.
// `limit` caps how many numbers are read: the server's "th" line goes on with a histogram of
// decimals that procfs ignores.
bool split_line(std::string_view line, std::string_view& key, Values& values, std::string& error,
                std::size_t limit = SIZE_MAX) {
  auto fields = split_fields(line);
  if (fields.size() < 2) {
    error = "invalid metric line \"" + std::string(line.substr(0, 64)) + "\"";
    return false;
  }
  key = fields[0];
  values.clear();
  for (std::size_t i = 1; i < fields.size() && values.size() < limit; ++i) {
    auto v = parse_uint(fields[i]);
    if (!v) {
      error = "line \"" + std::string(key) + "\": invalid number \"" +
              std::string(fields[i].substr(0, 32)) + "\"";
      return false;
    }
    values.push_back(*v);
  }
  return true;
}

template <std::size_t N>
bool fixed(const Values& v, std::array<std::uint64_t*, N> out) {
  if (v.size() != N) return false;
  for (std::size_t i = 0; i < N; ++i) *out[i] = v[i];
  return true;
}

// A procN line: the count, then that many numbers. procfs wants at least `minimum` of them
// (exactly `exact` when given) and keeps the first out.size(); fewer than out.size() are
// padded with zeros (older kernels print fewer NFSv4 procedures).
bool counted(const Values& v, std::span<std::uint64_t> out, std::size_t minimum,
             bool exact = false) {
  if (v.empty() || v[0] != v.size() - 1 || v[0] < minimum) return false;
  if (exact && v[0] != minimum) return false;
  std::fill(out.begin(), out.end(), 0);
  std::size_t n = std::min<std::size_t>(out.size(), v.size() - 1);
  std::copy_n(v.begin() + 1, n, out.begin());
  return true;
}

bool parse_network(const Values& v, RpcNetwork& n) {
  return fixed<4>(v, {&n.packets, &n.udp, &n.tcp, &n.tcp_connections});
}

template <typename Stats, typename Line>
std::optional<Stats> parse_lines(std::string_view text, Line&& line) {
  Stats stats;
  bool ok = true;
  for_each_line(text, [&](std::string_view l) {
    if (ok) ok = line(stats, l);
  });
  if (!ok) return std::nullopt;
  return stats;
}

}  // namespace

std::optional<NfsClientStats> parse_nfs_client_stats(std::string_view text, std::string& error) {
  return parse_lines<NfsClientStats>(text, [&](NfsClientStats& s, std::string_view line) {
    std::string_view key;
    Values v;
    if (!split_line(line, key, v, error)) return false;
    bool ok = false;
    if (key == "net") {
      ok = parse_network(v, s.network);
    } else if (key == "rpc") {
      ok = fixed<3>(v, {&s.rpc_calls, &s.rpc_retransmissions, &s.rpc_auth_refreshes});
    } else if (key == "proc2") {
      ok = counted(v, s.v2, s.v2.size());
    } else if (key == "proc3") {
      ok = counted(v, s.v3, s.v3.size());
    } else if (key == "proc4") {
      ok = counted(v, s.v4, 0);
    } else {
      error = "unknown NFS metric line \"" + std::string(key.substr(0, 32)) + "\"";
      return false;
    }
    if (!ok) error = "invalid \"" + std::string(key) + "\" line";
    return ok;
  });
}

std::optional<NfsServerStats> parse_nfs_server_stats(std::string_view text, std::string& error) {
  return parse_lines<NfsServerStats>(text, [&](NfsServerStats& s, std::string_view line) {
    std::string_view key;
    Values v;
    auto fields = split_fields(line);
    bool threads = !fields.empty() && fields[0] == "th";
    if (threads && fields.size() < 3) {
      error = "invalid NFSd th metric line";
      return false;
    }
    if (!split_line(line, key, v, error, threads ? 2 : SIZE_MAX)) return false;
    bool ok = false;
    std::uint64_t unused = 0;
    if (key == "rc") {
      ok = fixed<3>(v, {&s.reply_cache_hits, &s.reply_cache_misses, &s.reply_cache_nocache});
    } else if (key == "fh") {
      // Only the first is still counted by the kernel; procfs wants all five.
      ok = fixed<5>(v, {&s.file_handles_stale, &unused, &unused, &unused, &unused});
    } else if (key == "io") {
      ok = fixed<2>(v, {&s.bytes_read, &s.bytes_written});
    } else if (key == "th") {
      ok = fixed<2>(v, {&s.threads, &unused});
    } else if (key == "ra") {
      ok = v.size() == 12;
      if (ok) s.read_ahead_cache_size = v[0], s.read_ahead_cache_not_found = v[11];
    } else if (key == "net") {
      ok = parse_network(v, s.network);
    } else if (key == "rpc") {
      ok = fixed<5>(v,
                    {&s.rpc_calls, &unused, &s.rpc_bad_format, &s.rpc_bad_auth, &s.rpc_bad_client});
    } else if (key == "proc2") {
      ok = counted(v, s.v2, s.v2.size());
    } else if (key == "proc3") {
      ok = counted(v, s.v3, s.v3.size());
    } else if (key == "proc4") {
      std::array<std::uint64_t, 2> null_compound{};
      ok = counted(v, null_compound, 2, true);
    } else if (key == "proc4ops") {
      // NFSv4.0 servers print 39 operations, later ones 40 and more.
      ok = counted(v, s.v4_ops, s.v4_ops.size() - 1);
    } else if (key == "wdeleg_getattr") {
      s.wdeleg_getattr = v[0];
      ok = true;
    } else {
      error = "unknown NFSd metric line \"" + std::string(key.substr(0, 32)) + "\"";
      return false;
    }
    if (!ok) error = "invalid \"" + std::string(key) + "\" line";
    return ok;
  });
}

}  // namespace nodeprobe

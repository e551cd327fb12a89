#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeprobe {

// selinuxfs avc/cache_stats: a header line, then one line of six counters per CPU, summed.
struct AvcCacheStats {
  std::uint64_t lookups = 0, hits = 0, misses = 0, allocations = 0, reclaims = 0, frees = 0;
};
std::optional<AvcCacheStats> parse_avc_cache_stats(std::string_view text);

// selinuxfs avc/hash_stats: "entries: N", "buckets used: U/A", "longest chain: N".
struct AvcHashStats {
  std::uint64_t entries = 0, buckets_used = 0, buckets_available = 0, longest_chain = 0;
};
std::optional<AvcHashStats> parse_avc_hash_stats(std::string_view text);

// The SELINUX= mode of /etc/selinux/config as go-selinux reads it: 1 enforcing, 0 permissive,
// -1 disabled or not configured.
int parse_selinux_config_mode(std::string_view text);

}  // namespace nodeprobe

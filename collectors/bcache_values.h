#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeprobe {

// bcache's sysfs values (drivers/md/bcache/sysfs.c), read as prometheus/procfs's bcache package
// reads them for node_exporter 1.5. Every function is pure and returns nullopt where procfs
// returns an error.

// A value bch_hprint() may have humanized: "1.5G", "512k", "0". The fraction after the dot is
// bch_hprint's tenths of 1024ths, so "1.5k" is 1024 + 5 / 10.24 * 1024 = 1524; an unknown unit
// letter multiplies by 0, as in procfs.
std::optional<std::uint64_t> bcache_dehumanize(std::string_view text);

// As bcache_dehumanize, with an optional leading minus sign.
std::optional<std::int64_t> bcache_dehumanize_signed(std::string_view text);

// The lines of <backing device>/bcache/writeback_rate_debug that node_exporter exports.
struct BcacheWritebackRateDebug {
  std::uint64_t rate = 0;    // "rate: 1.1M/sec"
  std::uint64_t target = 0;  // "target: 2.0G"
  std::int64_t proportional = 0;
  std::int64_t integral = 0;
  std::int64_t change = 0;  // "change: -4.9k/sec"
};
std::optional<BcacheWritebackRateDebug> parse_bcache_writeback_rate_debug(std::string_view text);

// The "Unused: 99%" and "Metadata: 0%" lines of <cache device>/bcache/priority_stats.
struct BcachePriorityStats {
  std::uint64_t unused_percent = 0;
  std::uint64_t metadata_percent = 0;
};
std::optional<BcachePriorityStats> parse_bcache_priority_stats(std::string_view text);

}  // namespace nodeprobe

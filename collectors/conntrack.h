#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeprobe {

// /proc/net/stat/nf_conntrack summed over its per-CPU lines: the counters node_exporter reports.
struct ConntrackStat {
  std::uint64_t found = 0;
  std::uint64_t invalid = 0;
  std::uint64_t ignore = 0;
  std::uint64_t insert = 0;
  std::uint64_t insert_failed = 0;
  std::uint64_t drop = 0;
  std::uint64_t early_drop = 0;
  std::uint64_t search_restart = 0;
};

// A header line, then one line per CPU of 16 or 17 hex columns (search_restart came in Linux
// 2.6.35). Columns are taken by position, as node_exporter (procfs) does: the header's names
// changed over time (searched became clashres in 5.x, delete_list chainlength) while the
// positions stayed. nullopt when a CPU line is malformed.
std::optional<ConntrackStat> parse_conntrack_stat(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace nodeprobe {

// The counters node_exporter exports from an XFS statistics file (/sys/fs/xfs/<dev>/stats/stats,
// the same format as /proc/fs/xfs/stat: fs/xfs/xfs_stats.c), read as prometheus/procfs's
// xfs.ParseStats reads them. A missing line leaves its counters at zero.
struct XfsStats {
  std::array<std::uint32_t, 4> extent_alloc{};  // extents/blocks allocated, extents/blocks freed
  std::array<std::uint32_t, 4> abt{};           // allocation B-tree: lookups, compares, ins, del
  std::array<std::uint32_t, 7> blk_map{};       // block mapping
  std::array<std::uint32_t, 4> bmbt{};          // block map B-tree
  std::array<std::uint32_t, 4> dir{};           // directory operations
  std::array<std::uint32_t, 7> ig{};            // inode operations
  std::array<std::uint32_t, 2> rw{};            // write calls, read calls (kernel order)
  std::array<std::uint32_t, 8> vnodes{};        // the 8th (free) is absent on old kernels
};

class XfsStatsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws XfsStatsError as procfs fails: a value that is not a uint32 (a uint64 on the xpc
// line) on any line of two or more fields, or a known line with the wrong number of values.
XfsStats parse_xfs_stats(std::string_view text);

}  // namespace nodeprobe

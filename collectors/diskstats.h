#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// One line of /proc/diskstats. The kernel prints 11 counters after major, minor and name up to
// 4.17, 15 from 4.18 (discards) and 17 from 5.5 (flushes); `counters` holds what the line had,
// in the kernel's order (Documentation/admin-guide/iostats.rst).
struct DiskStats {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::string name;
  std::vector<std::uint64_t> counters;  // 11 to 17 values
};

inline constexpr std::size_t kDiskstatsMinCounters = 11;
inline constexpr std::size_t kDiskstatsMaxCounters = 17;

// Parses /proc/diskstats. A line with fewer than 14 fields, or a field that is not a number
// where the kernel prints one, is skipped; fields past the 20th (a future kernel) are ignored.
std::vector<DiskStats> parse_diskstats(std::string_view text);

// Parses a udev database file (/run/udev/data/b<major>:<minor>): the device properties, the
// "E:KEY=VALUE" lines, as udevadm(8) documents them. Other lines are skipped; the value is
// everything after the first '='.
std::map<std::string, std::string, std::less<>> parse_udev_properties(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// One "cpu<N>" line of /proc/schedstat (Documentation/scheduler/sched-stats.rst, fields 7-9).
struct SchedstatCpu {
  std::string cpu;  // "<N>"
  std::uint64_t running_ns = 0;
  std::uint64_t waiting_ns = 0;
  std::uint64_t timeslices = 0;
};

// The per-CPU lines of /proc/schedstat; the version, timestamp and domain lines, and lines
// that do not parse, are skipped.
std::vector<SchedstatCpu> parse_schedstat(std::string_view text);

}  // namespace nodeprobe

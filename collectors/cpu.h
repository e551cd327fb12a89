#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nodeprobe {

// One "cpuN" line of /proc/stat, in seconds.
struct CpuTimes {
  std::string cpu;  // "0", "1", ...
  // user nice system idle iowait irq softirq steal guest guest_nice
  std::array<double, 10> seconds{};
};

// The per-CPU lines of /proc/stat (not the aggregate "cpu" line). USER_HZ is 100 on every
// architecture Linux exports to user space. Malformed lines are skipped.
std::vector<CpuTimes> parse_proc_stat_cpus(std::string_view text, double user_hz = 100);

// Keeps per-CPU counters monotonic across the kernel's glitches: idle and iowait can step back
// a little on NO_HZ kernels (the value is held), and a CPU that went offline and came back
// restarts from zero (a step back of kIdleJumpBackSeconds or more in idle resets that CPU's
// state). A CPU missing from a reading is forgotten.
class CpuCounterGuard {
 public:
  // node_exporter's jumpBackSeconds: the same threshold, so the same events reset.
  static constexpr double kIdleJumpBackSeconds = 3.0;

  void apply(std::vector<CpuTimes>& current);

 private:
  std::unordered_map<std::string, std::array<double, 10>> last_;
};

}  // namespace nodeprobe

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// The system-wide lines of /proc/stat (the per-CPU lines belong to the cpu collector).
struct ProcStat {
  std::optional<double> intr, ctxt, btime, processes, procs_running, procs_blocked;
  std::vector<std::pair<std::string, double>> softirqs;  // vector name, count
};

ProcStat parse_proc_stat(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/pressure.h"

namespace nodeprobe {

// What one workload's cgroup says about its usage; a field stays empty when its file is absent
// (controller not enabled, older kernel) or does not parse.
struct WorkloadUsage {
  std::optional<double> cpu_seconds;
  std::optional<std::uint64_t> cpu_periods;
  std::optional<std::uint64_t> cpu_throttled_periods;
  std::optional<double> cpu_throttled_seconds;
  std::optional<std::uint64_t> memory_usage;
  std::optional<std::uint64_t> memory_working_set;
  std::optional<std::uint64_t> memory_limit;  // empty when unlimited
  std::optional<std::uint64_t> memory_oom_kills;
  std::optional<std::uint64_t> io_read_bytes;
  std::optional<std::uint64_t> io_write_bytes;
  std::optional<std::uint64_t> io_read_ops;
  std::optional<std::uint64_t> io_write_ops;
  PressureTotals cpu_pressure;
  PressureTotals io_pressure;
  PressureTotals memory_pressure;
  std::optional<std::uint64_t> processes;
  std::optional<std::uint64_t> threads;
  std::optional<std::uint64_t> first_pid;  // to tell a sandbox (pause) container
};

// --- Parsers: pure functions on a file's text. ---

// The value of `key` in "key value" lines (cpu.stat, memory.stat, memory.events,
// memory.oom_control); nullopt when absent or not a number.
std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key);

// A single number (memory.current, cpuacct.usage, memory.usage_in_bytes).
std::optional<std::uint64_t> single_value(std::string_view text);

// memory.max ("max" when unlimited) or memory.limit_in_bytes (PAGE_COUNTER_MAX pages, about
// 2^63, when unlimited): nullopt for no limit or garbage.
std::optional<std::uint64_t> memory_limit_value(std::string_view text);

// The cAdvisor working set: usage minus inactive file pages, floored at 0.
std::uint64_t working_set(std::uint64_t usage, std::uint64_t inactive_file);

// cgroup v2 cpu.stat into usage (usage_usec, nr_periods, nr_throttled, throttled_usec).
void parse_cpu_stat_v2(std::string_view text, WorkloadUsage& usage);
// cgroup v1 cpu.stat of the cpu controller (nr_periods, nr_throttled, throttled_time in ns).
void parse_cpu_stat_v1(std::string_view text, WorkloadUsage& usage);

// cgroup v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device, summed.
void parse_io_stat(std::string_view text, WorkloadUsage& usage);
// cgroup v1 blkio.throttle.io_service_bytes(_recursive) / io_serviced(_recursive):
// "8:0 Read 4096" lines per device and operation, then "Total N"; Read and Write summed.
void parse_blkio(std::string_view text, std::optional<std::uint64_t>& read,
                 std::optional<std::uint64_t>& write);

// cgroup.procs / cgroup.threads / tasks: one ID per line. Returns the count and the first ID.
std::uint64_t count_ids(std::string_view text, std::optional<std::uint64_t>* first = nullptr);

// --- Readers: one cgroup directory, opened once, its files read relative to it. ---

class CgroupDir {
 public:
  explicit CgroupDir(const std::string& path);
  ~CgroupDir();
  CgroupDir(const CgroupDir&) = delete;
  CgroupDir& operator=(const CgroupDir&) = delete;
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // The file's text in `out`; false when it cannot be opened or read.
  bool read(const char* name, std::string& out) const;

 private:
  int fd_ = -1;
};

// How the readers get the files that change only when written or when the kernel announces it
// (memory.max, memory.events, memory.limit_in_bytes). Without one they are read like the
// others; the workloads collector passes one that keeps them between scrapes
// (collectors/watched_files.h).
using SlowFileReader =
    std::function<bool(const CgroupDir& dir, const char* name, std::string& out)>;

// Everything a cgroup v2 directory offers but its processes and threads; its PSI files only with
// `pressure`.
void read_cgroup_v2(const CgroupDir& dir, WorkloadUsage& usage, std::string& buffer,
                    const SlowFileReader* slow = nullptr, bool pressure = true);
// Only the PSI files of a v2 directory (the unified hierarchy of a hybrid host).
void read_pressure_v2(const CgroupDir& dir, WorkloadUsage& usage, std::string& buffer);

// One cgroup v1 controller's files.
enum class V1Controller { kMemory, kCpuacct, kCpu, kBlkio };
void read_cgroup_v1(V1Controller controller, const CgroupDir& dir, WorkloadUsage& usage,
                    std::string& buffer, const SlowFileReader* slow = nullptr);
// Process and thread counts: cgroup.procs, and cgroup.threads (v2) or tasks (v1).
void read_tasks(const CgroupDir& dir, bool v2, WorkloadUsage& usage, std::string& buffer);

}  // namespace nodeprobe

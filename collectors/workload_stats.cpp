// Cgroup v1 and v2 usage files for the workloads collector: parsers (pure) and readers.
// Formats: Documentation/admin-guide/cgroup-v2.rst and Documentation/admin-guide/cgroup-v1/.
#include "collectors/workload_stats.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "agent/parse.h"

namespace nodeprobe {

std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key) {
  std::optional<std::uint64_t> out;
  for_each_line(text, [&](std::string_view line) {
    if (out || !line.starts_with(key) || line.size() <= key.size()) return;
    if (line[key.size()] != ' ') return;
    out = parse_uint(trim(line.substr(key.size() + 1)));
  });
  return out;
}

std::optional<std::uint64_t> single_value(std::string_view text) { return parse_uint(trim(text)); }

std::optional<std::uint64_t> memory_limit_value(std::string_view text) {
  auto v = single_value(text);
  // v1 reports "no limit" as PAGE_COUNTER_MAX pages: 9223372036854771712 with 4 KiB pages,
  // a little less with larger pages. Anything from 2^62 bytes up is no limit in practice.
  if (!v || *v >= (std::uint64_t{1} << 62)) return std::nullopt;
  return v;
}

std::uint64_t working_set(std::uint64_t usage, std::uint64_t inactive_file) {
  return usage > inactive_file ? usage - inactive_file : 0;
}

void parse_cpu_stat_v2(std::string_view text, WorkloadUsage& usage) {
  if (auto v = keyed_value(text, "usage_usec")) usage.cpu_seconds = static_cast<double>(*v) / 1e6;
  if (auto v = keyed_value(text, "nr_periods")) usage.cpu_periods = *v;
  if (auto v = keyed_value(text, "nr_throttled")) usage.cpu_throttled_periods = *v;
  if (auto v = keyed_value(text, "throttled_usec")) {
    usage.cpu_throttled_seconds = static_cast<double>(*v) / 1e6;
  }
}

void parse_cpu_stat_v1(std::string_view text, WorkloadUsage& usage) {
  if (auto v = keyed_value(text, "nr_periods")) usage.cpu_periods = *v;
  if (auto v = keyed_value(text, "nr_throttled")) usage.cpu_throttled_periods = *v;
  if (auto v = keyed_value(text, "throttled_time")) {
    usage.cpu_throttled_seconds = static_cast<double>(*v) / 1e9;
  }
}

void parse_io_stat(std::string_view text, WorkloadUsage& usage) {
  struct Field {
    std::string_view key;
    std::optional<std::uint64_t> WorkloadUsage::*target;
  };
  static constexpr Field kFields[] = {{"rbytes=", &WorkloadUsage::io_read_bytes},
                                      {"wbytes=", &WorkloadUsage::io_write_bytes},
                                      {"rios=", &WorkloadUsage::io_read_ops},
                                      {"wios=", &WorkloadUsage::io_write_ops}};
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 2 || fields[0].find(':') == std::string_view::npos) return;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      for (const auto& f : kFields) {
        if (!fields[i].starts_with(f.key)) continue;
        if (auto v = parse_uint(fields[i].substr(f.key.size()))) {
          auto& target = usage.*f.target;
          target = target.value_or(0) + *v;
        }
      }
    }
  });
  // A cgroup that has done no I/O has an empty io.stat: that is zero, not unknown.
  for (const auto& f : kFields) {
    if (!(usage.*f.target)) usage.*f.target = 0;
  }
}

void parse_blkio(std::string_view text, std::optional<std::uint64_t>& read,
                 std::optional<std::uint64_t>& write) {
  std::uint64_t r = 0;
  std::uint64_t w = 0;
  bool total_seen = false;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() == 2 && fields[0] == "Total") total_seen = true;
    if (fields.size() != 3 || fields[0].find(':') == std::string_view::npos) return;
    auto v = parse_uint(fields[2]);
    if (!v) return;
    if (fields[1] == "Read") r += *v;
    if (fields[1] == "Write") w += *v;
  });
  // The kernel always ends the file with "Total N"; without it the text is cut or not blkio.
  if (!total_seen) return;
  read = r;
  write = w;
}

std::uint64_t count_ids(std::string_view text, std::optional<std::uint64_t>* first) {
  std::uint64_t n = 0;
  for_each_line(text, [&](std::string_view line) {
    auto id = parse_uint(trim(line));
    if (!id) return;
    if (n == 0 && first != nullptr) *first = *id;
    ++n;
  });
  return n;
}

CgroupDir::CgroupDir(const std::string& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}

CgroupDir::~CgroupDir() {
  if (fd_ >= 0) ::close(fd_);
}

bool CgroupDir::read(const char* name, std::string& out) const {
  // cgroup.procs of a container with many processes is the largest file read: 1 MiB holds
  // over 100000 PIDs.
  constexpr std::size_t kCap = 1 << 20;
  constexpr std::size_t kChunk = 16 * 1024;
  out.clear();
  if (fd_ < 0) return false;
  int fd = ::openat(fd_, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = true;
  std::size_t used = 0;
  for (;;) {
    if (out.size() < used + kChunk) out.resize(used + kChunk);
    std::size_t room = out.size() - used;
    ssize_t n = ::read(fd, out.data() + used, room);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    used += static_cast<std::size_t>(n);
    if (used > kCap) {
      ok = false;
      break;
    }
    // cgroup files are seq_files that hand over all they have in one read when it fits (and
    // fixture files are regular files): a short read is the end, which saves a second read
    // per file, a tenth of a scrape's cost with a thousand containers.
    if (static_cast<std::size_t>(n) < room) break;
  }
  ::close(fd);
  out.resize(ok ? used : 0);
  return ok;
}

void read_pressure_v2(const CgroupDir& dir, WorkloadUsage& usage, std::string& buffer) {
  if (dir.read("cpu.pressure", buffer)) usage.cpu_pressure = parse_pressure(buffer);
  if (dir.read("memory.pressure", buffer)) usage.memory_pressure = parse_pressure(buffer);
  if (dir.read("io.pressure", buffer)) usage.io_pressure = parse_pressure(buffer);
}

namespace {

bool read_slow(const SlowFileReader* slow, const CgroupDir& dir, const char* name,
               std::string& out) {
  return slow != nullptr ? (*slow)(dir, name, out) : dir.read(name, out);
}

}  // namespace

void read_cgroup_v2(const CgroupDir& dir, WorkloadUsage& usage, std::string& buffer,
                    const SlowFileReader* slow, bool pressure) {
  if (dir.read("cpu.stat", buffer)) parse_cpu_stat_v2(buffer, usage);
  if (dir.read("memory.current", buffer)) usage.memory_usage = single_value(buffer);
  if (usage.memory_usage && dir.read("memory.stat", buffer)) {
    if (auto inactive = keyed_value(buffer, "inactive_file")) {
      usage.memory_working_set = working_set(*usage.memory_usage, *inactive);
    }
  }
  if (read_slow(slow, dir, "memory.max", buffer)) usage.memory_limit = memory_limit_value(buffer);
  if (read_slow(slow, dir, "memory.events", buffer)) {
    usage.memory_oom_kills = keyed_value(buffer, "oom_kill");
  }
  if (dir.read("io.stat", buffer)) parse_io_stat(buffer, usage);
  if (pressure) read_pressure_v2(dir, usage, buffer);
}

void read_cgroup_v1(V1Controller controller, const CgroupDir& dir, WorkloadUsage& usage,
                    std::string& buffer, const SlowFileReader* slow) {
  switch (controller) {
    case V1Controller::kMemory:
      if (dir.read("memory.usage_in_bytes", buffer)) usage.memory_usage = single_value(buffer);
      if (usage.memory_usage && dir.read("memory.stat", buffer)) {
        // total_ is the hierarchical figure, as usage_in_bytes is.
        if (auto inactive = keyed_value(buffer, "total_inactive_file")) {
          usage.memory_working_set = working_set(*usage.memory_usage, *inactive);
        }
      }
      if (read_slow(slow, dir, "memory.limit_in_bytes", buffer)) {
        usage.memory_limit = memory_limit_value(buffer);
      }
      // oom_kill in memory.oom_control: Linux 4.13+. Not a slow file: v1 tells OOM events
      // through cgroup.event_control only, not inotify.
      if (dir.read("memory.oom_control", buffer)) {
        usage.memory_oom_kills = keyed_value(buffer, "oom_kill");
      }
      break;
    case V1Controller::kCpuacct:
      if (dir.read("cpuacct.usage", buffer)) {
        if (auto ns = single_value(buffer)) usage.cpu_seconds = static_cast<double>(*ns) / 1e9;
      }
      break;
    case V1Controller::kCpu:
      if (dir.read("cpu.stat", buffer)) parse_cpu_stat_v1(buffer, usage);
      break;
    case V1Controller::kBlkio:
      // The throttle files count every bio of the cgroup whatever the I/O scheduler; the
      // _recursive ones (Linux 4.13+) include the sub-cgroups, as v2's io.stat does.
      if (dir.read("blkio.throttle.io_service_bytes_recursive", buffer) ||
          dir.read("blkio.throttle.io_service_bytes", buffer)) {
        parse_blkio(buffer, usage.io_read_bytes, usage.io_write_bytes);
      }
      if (dir.read("blkio.throttle.io_serviced_recursive", buffer) ||
          dir.read("blkio.throttle.io_serviced", buffer)) {
        parse_blkio(buffer, usage.io_read_ops, usage.io_write_ops);
      }
      break;
  }
}

void read_tasks(const CgroupDir& dir, bool v2, WorkloadUsage& usage, std::string& buffer) {
  if (dir.read("cgroup.procs", buffer)) usage.processes = count_ids(buffer, &usage.first_pid);
  if (dir.read(v2 ? "cgroup.threads" : "tasks", buffer)) usage.threads = count_ids(buffer);
}

}  // namespace nodeprobe

#include "agent/self_metrics.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>

#include "agent/kept_file.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "version.h"

namespace nodeprobe {

void RequestCounters::record(std::string_view handler, int code) {
  std::lock_guard lock(mu_);
  counts_[{std::string(handler), code}] += 1;
}

void RequestCounters::write(MetricSink& sink) const {
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, count] : counts_) {
      sink.counter("nodeprobe_http_requests_total",
                   "HTTP requests served by nodeprobe, by handler and status code.", count,
                   {{"code", std::to_string(key.second)}, {"handler", key.first}});
    }
  }
  sink.gauge("nodeprobe_http_requests_in_flight", "HTTP requests being served right now.",
             in_flight_.load());
}

void write_build_info(MetricSink& sink) {
  sink.gauge("nodeprobe_build_info",
             "A metric with a constant '1' value labeled by version, revision, branch and "
             "compiler from which nodeprobe was built.",
             1,
             {{"branch", build::kBranch},
              {"compiler", build::kCompiler},
              {"revision", build::kRevision},
              {"version", build::kVersion}});
}

namespace {

int count_open_fds() {
  // Since Linux 6.2 stat() on /proc/<pid>/fd gives the number of open descriptors as its size:
  // one system call instead of a listing's five. Older kernels say 0 there.
  struct stat st {};
  if (::stat("/proc/self/fd", &st) == 0 && st.st_size > 0) return static_cast<int>(st.st_size);
  int n = 0;
  int err = 0;
  if (!for_each_entry(
          "/proc/self/fd", [&](const DirEntry&) { ++n; }, err))
    return -1;
  return n - 1;  // the descriptor the listing itself holds
}

}  // namespace

void write_process_metrics(MetricSink& sink) {
  static const double kTicks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const double kPageSize = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // Kept open (agent/kept_file.h): /proc/self is resolved once, to this process, which never
  // forks. Scrapes may write these families at the same time.
  static std::mutex mu;
  static KeptFile self_stat("/proc/self/stat", ReadEnd::kShortRead);
  std::unique_lock lock(mu);
  std::string stat;
  int err = 0;
  if (self_stat.read(err)) stat = self_stat.text();
  lock.unlock();
  if (!stat.empty()) {
    // Fields after the parenthesised command, which may itself hold spaces and parentheses.
    auto close = stat.rfind(')');
    if (close != std::string::npos) {
      auto fields = split_fields(std::string_view(stat).substr(close + 1));
      // fields[0] is field 3 (state); utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
      if (fields.size() > 21) {
        double utime = parse_double(fields[11]).value_or(0);
        double stime = parse_double(fields[12]).value_or(0);
        sink.counter("process_cpu_seconds_total",
                     "Total user and system CPU time spent in seconds.", (utime + stime) / kTicks);
        double boot_time = boot_time_seconds();
        if (boot_time > 0) {
          sink.gauge("process_start_time_seconds",
                     "Start time of the process since unix epoch in seconds.",
                     boot_time + parse_double(fields[19]).value_or(0) / kTicks);
        }
        sink.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                   parse_double(fields[20]).value_or(0));
        sink.gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                   parse_double(fields[21]).value_or(0) * kPageSize);
      }
    }
  }
  int fds = count_open_fds();
  if (fds >= 0) {
    sink.gauge("process_open_fds", "Number of open file descriptors.", fds);
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    sink.gauge("process_max_fds", "Maximum number of open file descriptors.",
               static_cast<double>(limit.rlim_cur));
  }
  if (::getrlimit(RLIMIT_AS, &limit) == 0) {
    sink.gauge("process_virtual_memory_max_bytes",
               "Maximum amount of virtual memory available in bytes.",
               limit.rlim_cur == RLIM_INFINITY ? 1.8446744073709552e19
                                               : static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace nodeprobe

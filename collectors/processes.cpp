// node_processes_*: the process table by state, and the kernel's PID and thread limits
// (node_exporter's processes collector, collector/processes_linux.go).
#include <memory>
#include <optional>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/process_table.h"

namespace nodeprobe {
namespace {

class ProcessesCollector final : public Collector {
 public:
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    // libproc2 reads the fixed path /proc; for any other procfs (a container's /host/proc, a
    // fixture tree) the table is read file by file under the given root instead.
    if (is_live_procfs(paths_.procfs)) libproc2_.emplace();
  }

  void collect(MetricSink& sink) override {
    ProcessTable table = libproc2_ ? libproc2_->read() : read_process_table(paths_.procfs);
    double max_threads = read_limit("sys/kernel/threads-max");
    double pid_max = read_limit("sys/kernel/pid_max");

    sink.gauge("node_processes_threads", "Allocated threads in system",
               static_cast<double>(table.threads));
    sink.gauge("node_processes_max_threads", "Limit of threads in the system", max_threads);
    for (const auto& [state, count] : table.process_states) {
      sink.gauge("node_processes_state", "Number of processes in each state.",
                 static_cast<double>(count), {{"state", state}});
    }
    for (const auto& [state, count] : table.thread_states) {
      sink.gauge("node_processes_threads_state", "Number of threads in each state.",
                 static_cast<double>(count), {{"thread_state", state}});
    }
    sink.gauge("node_processes_pids", "Number of PIDs", static_cast<double>(table.processes));
    sink.gauge("node_processes_max_processes", "Number of max PIDs limit", pid_max);
  }

 private:
  double read_limit(const char* relative) const {
    auto path = paths_.proc(relative);
    auto value = parse_uint(trim(read_file(path, 64)));
    if (!value) throw std::runtime_error(path + ": not an unsigned integer");
    return static_cast<double>(*value);
  }

  std::optional<Libproc2Table> libproc2_;
};

}  // namespace

std::unique_ptr<Collector> make_processes_collector() {
  return std::make_unique<ProcessesCollector>();
}

}  // namespace nodeprobe

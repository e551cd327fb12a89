// node_intr_total, node_context_switches_total, node_forks_total, node_boot_time_seconds,
// node_procs_running, node_procs_blocked (and node_softirqs_total with --collector.stat.softirq)
// from /proc/stat.
#include "collectors/stat.h"

#include <memory>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/parse.h"

namespace nodeprobe {

ProcStat parse_proc_stat(std::string_view text) {
  // The softirq line's columns, in the kernel's order (kernel/softirq.c softirq_to_name).
  // The sixth is IRQ_POLL since Linux 4.5 (BLOCK_IOPOLL before); node_exporter still labels it
  // block_iopoll, and so do we.
  static constexpr const char* kSoftirqs[] = {"hi",      "timer",        "net_tx",  "net_rx",
                                              "block",   "block_iopoll", "tasklet", "sched",
                                              "hrtimer", "rcu"};
  ProcStat out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 2) return;
    auto key = fields[0];
    // Every value on these lines is an unsigned integer; anything else is not this file.
    auto number = parse_uint(fields[1]);
    if (!number) return;
    double value = static_cast<double>(*number);
    if (key == "intr") {
      out.intr = value;
    } else if (key == "ctxt") {
      out.ctxt = value;
    } else if (key == "btime") {
      out.btime = value;
    } else if (key == "processes") {
      out.processes = value;
    } else if (key == "procs_running") {
      out.procs_running = value;
    } else if (key == "procs_blocked") {
      out.procs_blocked = value;
    } else if (key == "softirq") {
      for (std::size_t i = 2; i < fields.size() && i - 2 < std::size(kSoftirqs); ++i) {
        if (auto v = parse_uint(fields[i])) {
          out.softirqs.emplace_back(kSoftirqs[i - 2], static_cast<double>(*v));
        }
      }
    }
  });
  return out;
}

namespace {

class StatCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.flag("softirq", softirq_, "Export softirq calls per vector");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    stat_ = KeptFile(paths_.proc("stat"), ReadEnd::kShortRead);
  }

  void collect(MetricSink& sink) override {
    auto s = parse_proc_stat(stat_.read());
    if (!s.intr && !s.ctxt && !s.btime) {
      throw std::runtime_error(stat_.path() + ": unexpected format");
    }
    auto counter = [&](const char* name, const char* help, const std::optional<double>& v) {
      if (v) sink.counter(name, help, *v);
    };
    auto gauge = [&](const char* name, const char* help, const std::optional<double>& v) {
      if (v) sink.gauge(name, help, *v);
    };
    counter("node_intr_total", "Total number of interrupts serviced.", s.intr);
    counter("node_context_switches_total", "Total number of context switches.", s.ctxt);
    counter("node_forks_total", "Total number of forks.", s.processes);
    gauge("node_boot_time_seconds", "Node boot time, in unixtime.", s.btime);
    gauge("node_procs_running", "Number of processes in runnable state.", s.procs_running);
    gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
          s.procs_blocked);
    if (softirq_) {
      for (const auto& [vector, count] : s.softirqs) {
        sink.counter("node_softirqs_total", "Number of softirq calls.", count,
                     {{"vector", vector}});
      }
    }
  }

 private:
  KeptFile stat_{""};
  bool softirq_ = false;
};

}  // namespace

std::unique_ptr<Collector> make_stat_collector() { return std::make_unique<StatCollector>(); }

}  // namespace nodeprobe

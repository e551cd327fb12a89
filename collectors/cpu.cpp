// node_cpu_seconds_total and node_cpu_guest_seconds_total from /proc/stat.
#include "collectors/cpu.h"

#include <memory>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::vector<CpuTimes> parse_proc_stat_cpus(std::string_view text, double user_hz) {
  std::vector<CpuTimes> out;
  for_each_line(text, [&](std::string_view line) {
    if (!line.starts_with("cpu") || line.size() < 4 || line[3] < '0' || line[3] > '9') return;
    auto fields = split_fields(line);
    // Kernels before 2.6.33 lack guest_nice and before 2.6.24 guest; at least 8 values.
    if (fields.size() < 9) return;
    CpuTimes t;
    t.cpu = std::string(fields[0].substr(3));
    if (!parse_uint(t.cpu)) return;
    for (std::size_t i = 0; i < t.seconds.size() && i + 1 < fields.size(); ++i) {
      auto v = parse_double(fields[i + 1]);
      if (!v) return;
      t.seconds[i] = *v / user_hz;
    }
    out.push_back(std::move(t));
  });
  return out;
}

void CpuCounterGuard::apply(std::vector<CpuTimes>& current) {
  constexpr std::size_t kIdle = 3;
  for (auto& now : current) {
    CpuTimes* before = nullptr;
    for (auto& b : last_) {
      if (b.cpu == now.cpu) before = &b;
    }
    if (before == nullptr) continue;
    if (before->seconds[kIdle] - now.seconds[kIdle] >= 5) continue;  // hotplug: start over
    for (std::size_t i = 0; i < now.seconds.size(); ++i) {
      if (now.seconds[i] < before->seconds[i]) now.seconds[i] = before->seconds[i];
    }
  }
  last_ = current;
}

namespace {

constexpr const char* kModes[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq",
                                  "steal"};

class CpuCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.flag("guest", guest_, "Enables metric node_cpu_guest_seconds_total");
  }

  void collect(MetricSink& sink) override {
    auto path = paths_.proc("stat");
    auto cpus = parse_proc_stat_cpus(read_file(path));
    if (cpus.empty()) throw std::runtime_error(path + ": no per-CPU lines");
    guard_.apply(cpus);
    for (const auto& t : cpus) {
      for (std::size_t m = 0; m < std::size(kModes); ++m) {
        sink.counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                     t.seconds[m], {{"cpu", t.cpu}, {"mode", kModes[m]}});
      }
      if (guest_) {
        // Guest time is already included in user time; these are for telling them apart.
        sink.counter("node_cpu_guest_seconds_total",
                     "Seconds the CPUs spent in guests (VMs) for each mode.", t.seconds[8],
                     {{"cpu", t.cpu}, {"mode", "user"}});
        sink.counter("node_cpu_guest_seconds_total",
                     "Seconds the CPUs spent in guests (VMs) for each mode.", t.seconds[9],
                     {{"cpu", t.cpu}, {"mode", "nice"}});
      }
    }
  }

 private:
  bool guest_ = true;
  CpuCounterGuard guard_;
};

}  // namespace

std::unique_ptr<Collector> make_cpu_collector() { return std::make_unique<CpuCollector>(); }

}  // namespace nodeprobe

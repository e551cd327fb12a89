// The eBPF probes (bpf/): what polling /proc cannot show, aggregated in the kernel and read at
// scrape time. docs/ebpf.md has the design; docs/metrics.md the families.
#include "collectors/ebpf.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "agent/collector.h"
#include "agent/logging.h"
#include "agent/read_file.h"
#include "bpf/probes.h"
#include "collectors/ebpf_block_devices.h"
#include "collectors/ebpf_histogram.h"

namespace nodeprobe {
namespace {

using ebpf::BpfProbe;

// Histogram buckets as log2 slots of nanoseconds (2^slot ns bounds each bucket).
constexpr int kLifetimeFirstSlot = 17;  // 131 us: a fork+exec+exit of a tiny program
constexpr int kLifetimeLastSlot = 42;   // 73 min; longer lives count in +Inf
constexpr int kRunqueueFirstSlot = 10;  // 1 us
constexpr int kRunqueueLastSlot = 30;   // 1.07 s
constexpr int kDiskFirstSlot = 12;      // 4 us: a fast NVMe read
constexpr int kDiskLastSlot = 34;       // 17 s: past any sane device timeout

constexpr const char* kBiolatOps[] = {"read", "write", "flush", "discard", "other"};

struct ProbeSwitches {
  bool process = true;
  bool runqlat = true;
  bool biolat = true;
  bool oomkill = true;
  bool tcpretrans = true;
  bool kernel_stats = false;
};

class EbpfCollector final : public Collector {
 public:
  explicit EbpfCollector(std::map<std::string, std::string, std::less<>> attach_overrides = {})
      : attach_overrides_(std::move(attach_overrides)) {}
  ~EbpfCollector() override {
    if (stats_fd_ >= 0) ::close(stats_fd_);
  }

  void add_options(OptionBinder& binder) override {
    binder.flag("process", switches_.process,
                "Count execs and process exits by outcome, and histogram process lifetimes.");
    binder.flag("runqlat", switches_.runqlat, "Histogram the time runnable tasks wait for a CPU.");
    binder.flag("biolat", switches_.biolat, "Histogram block I/O latency per disk and operation.");
    binder.flag("oomkill", switches_.oomkill, "Count the OOM killer's victims.");
    binder.flag("tcpretrans", switches_.tcpretrans, "Count retransmitted TCP segments.");
    binder.flag("kernel-stats", switches_.kernel_stats,
                "Turn on the kernel's BPF run statistics (kernel.bpf_stats_enabled) while "
                "nodeprobe runs, for nodeprobe_ebpf_program_run_*; costs some ns per event.");
  }

  void collect(MetricSink& sink) override {
    // Loaded on the first scrape (at start-up, the agent's first full collection) rather than
    // in configure(), which runs before logging is set up; never again after.
    if (!started_) start();
    bool stats = kernel_stats_on();
    for (const BpfProbe* probe : probes()) write_programs(sink, *probe, stats);
    if (process_) write_process(sink);
    if (runqlat_ && runqlat_->all_attached()) {
      sink.histogram(
          "node_sched_runqueue_latency_seconds",
          "Time runnable tasks waited for a CPU, measured by eBPF.",
          log2_histogram_seconds(runqlat_->latency(), kRunqueueFirstSlot, kRunqueueLastSlot));
    }
    if (biolat_ && biolat_->all_attached()) write_biolat(sink);
    if (oomkill_ && oomkill_->all_attached()) {
      sink.counter("node_oom_kills_total", "Tasks the OOM killer chose as victims, seen by eBPF.",
                   static_cast<double>(oomkill_->total()));
    }
    if (tcpretrans_ && tcpretrans_->all_attached()) {
      sink.counter("node_tcp_retransmits_total", "Retransmitted TCP segments, seen by eBPF.",
                   static_cast<double>(tcpretrans_->total()));
    }
  }

 private:
  void start() {
    started_ = true;
    ebpf::route_libbpf_logs();
    ebpf::LoadOptions options;
    options.btf_path = paths_.sys("kernel/btf/vmlinux");
    auto problem = ebpf::diagnose_host(paths_);
    if (!problem) problem = ebpf::diagnose_privileges();
    if (!problem) {
      options.kernel_btf = ebpf::parse_btf(options.btf_path);
      if (!options.kernel_btf) {
        problem =
            "cannot parse the kernel's BTF at " + options.btf_path + ": " + std::strerror(errno);
      }
    }
    if (problem) {
      // One line for the whole collector; every program then reports attached 0.
      log::warn("eBPF probes not loaded", {{"collector", "ebpf"}, {"reason", *problem}});
      options.blocked = *problem;
    }
    options.cgroup_v1_memory = ebpf::uses_cgroup_v1_memory(paths_);
    options.attach_overrides = attach_overrides_;
    options.block_devices = ebpf::count_block_devices(paths_);

    if (switches_.process) process_ = std::make_unique<ebpf::ProcessProbe>(options);
    if (switches_.runqlat) runqlat_ = std::make_unique<ebpf::RunqlatProbe>(options);
    if (switches_.biolat) biolat_ = std::make_unique<ebpf::BiolatProbe>(options);
    if (switches_.oomkill) oomkill_ = std::make_unique<ebpf::OomkillProbe>(options);
    if (switches_.tcpretrans) tcpretrans_ = std::make_unique<ebpf::TcpretransProbe>(options);
    if (problem) return;

    std::size_t attached = 0;
    std::size_t total = 0;
    for (const BpfProbe* probe : probes()) {
      if (!probe->load_error().empty()) {
        log::warn("eBPF probe not loaded",
                  {{"probe", probe->name()}, {"error", probe->load_error()}});
        continue;
      }
      for (const auto& program : probe->programs()) {
        ++total;
        if (program.attached) {
          ++attached;
        } else {
          log::warn("eBPF program not attached",
                    {{"program", program.name}, {"error", program.error}});
        }
      }
    }
    auto count = std::to_string(attached) + "/" + std::to_string(total);
    log::info("eBPF programs attached", {{"attached", count}});

    if (switches_.kernel_stats) {
      stats_fd_ = bpf_enable_stats(BPF_STATS_RUN_TIME);
      if (stats_fd_ < 0) {
        log::warn("cannot turn on the kernel's BPF statistics (needs Linux >= 5.8)",
                  {{"error", std::strerror(errno)}});
      }
    }
  }

  std::vector<const BpfProbe*> probes() const {
    std::vector<const BpfProbe*> out;
    for (const BpfProbe* p : std::initializer_list<const BpfProbe*>{
             process_.get(), runqlat_.get(), biolat_.get(), oomkill_.get(), tcpretrans_.get()}) {
      if (p != nullptr) out.push_back(p);
    }
    return out;
  }

  // The kernel keeps run statistics while someone holds BPF_ENABLE_STATS open (us, with
  // --collector.ebpf.kernel-stats) or the sysctl is set.
  bool kernel_stats_on() const {
    if (stats_fd_ >= 0) return true;
    std::string text;
    int err = 0;
    return try_read_file(paths_.proc("sys/kernel/bpf_stats_enabled"), text, err, 64) &&
           text.starts_with("1");
  }

  void write_programs(MetricSink& sink, const BpfProbe& probe, bool stats) const {
    for (const auto& program : probe.programs()) {
      Labels labels{{"program", program.name}};
      sink.gauge("nodeprobe_ebpf_program_attached",
                 "Whether an eBPF program of the ebpf collector is attached (1) or not (0).",
                 program.attached ? 1 : 0, labels);
      if (!stats || !program.attached) continue;
      if (auto run = ebpf::program_run_stats(program.fd)) {
        sink.counter("nodeprobe_ebpf_program_run_count_total",
                     "Times the kernel ran an eBPF program while BPF statistics were on.",
                     static_cast<double>(run->run_count), labels);
        sink.counter("nodeprobe_ebpf_program_run_seconds_total",
                     "Time the kernel spent running an eBPF program while BPF statistics were "
                     "on.",
                     static_cast<double>(run->run_time_ns) / 1e9, labels);
      }
    }
  }

  void write_process(MetricSink& sink) const {
    bool execs = process_->attached("process_exec");
    bool exits = process_->attached("process_exit");
    if (!execs && !exits) return;
    auto totals = process_->totals();
    if (execs) {
      sink.counter("node_process_execs_total", "Successful execs, seen by eBPF.",
                   static_cast<double>(totals.execs));
    }
    if (!exits) return;
    const char* help =
        "Processes that ended, seen by eBPF, by outcome: success (exit code 0), failure "
        "(another exit code) or signal (killed by a signal).";
    sink.counter("node_process_exits_total", help, static_cast<double>(totals.exits_success),
                 {{"outcome", "success"}});
    sink.counter("node_process_exits_total", help, static_cast<double>(totals.exits_failure),
                 {{"outcome", "failure"}});
    sink.counter("node_process_exits_total", help, static_cast<double>(totals.exits_signal),
                 {{"outcome", "signal"}});
    sink.histogram(
        "node_process_lifetime_seconds",
        "Time from fork to exit of the processes that ended, seen by eBPF.",
        log2_histogram_seconds(process_->lifetime(), kLifetimeFirstSlot, kLifetimeLastSlot));
  }

  void write_biolat(MetricSink& sink) {
    if (!devices_) devices_ = std::make_unique<BlockDeviceNames>(paths_);
    devices_->refresh();
    // Two device numbers could resolve to one name; their histograms add up.
    std::map<std::pair<std::string, std::string>, log2_hist> merged;
    for (const auto& entry : biolat_->latency()) {
      auto op = entry.key.op < std::size(kBiolatOps) ? kBiolatOps[entry.key.op] : "other";
      auto& hist = merged[{devices_->name(entry.key.major, entry.key.minor), op}];
      for (int i = 0; i < LOG2_HIST_SLOTS; ++i) hist.slots[i] += entry.hist.slots[i];
      hist.sum_ns += entry.hist.sum_ns;
    }
    for (const auto& [labels, hist] : merged) {
      sink.histogram("node_disk_io_latency_seconds",
                     "Time from issue to completion of block I/O requests, seen by eBPF.",
                     log2_histogram_seconds(hist, kDiskFirstSlot, kDiskLastSlot),
                     {{"device", labels.first}, {"op", labels.second}});
    }
  }

  std::map<std::string, std::string, std::less<>> attach_overrides_;
  ProbeSwitches switches_;
  bool started_ = false;
  int stats_fd_ = -1;
  std::unique_ptr<ebpf::ProcessProbe> process_;
  std::unique_ptr<ebpf::RunqlatProbe> runqlat_;
  std::unique_ptr<ebpf::BiolatProbe> biolat_;
  std::unique_ptr<ebpf::OomkillProbe> oomkill_;
  std::unique_ptr<ebpf::TcpretransProbe> tcpretrans_;
  std::unique_ptr<BlockDeviceNames> devices_;
};

}  // namespace

std::unique_ptr<Collector> make_ebpf_collector() { return std::make_unique<EbpfCollector>(); }

std::unique_ptr<Collector> make_ebpf_collector(
    std::map<std::string, std::string, std::less<>> attach_overrides) {
  return std::make_unique<EbpfCollector>(std::move(attach_overrides));
}

}  // namespace nodeprobe

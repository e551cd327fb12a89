// The eBPF probes (bpf/): what polling /proc cannot show, aggregated in the kernel and read at
// scrape time. docs/ebpf.md has the design; docs/metrics.md the families.
#include "collectors/ebpf.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_set>

#include "agent/cgroup_ebpf_counts.h"
#include "agent/collector.h"
#include "agent/logging.h"
#include "agent/read_file.h"
#include "bpf/probes.h"
#include "collectors/cgroup_tree.h"
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

// How often the per-cgroup maps are swept for cgroups that no longer exist. Without it every
// short-lived container would keep its slot until the map is full and later cgroups all count
// in the overflow key 0, unattributed.
constexpr auto kPruneInterval = std::chrono::seconds(60);

// The ids that exist in the hierarchies the probes key by, for one sweep. A hierarchy that
// cannot be read leaves its set empty, and then nothing keyed by it is dropped.
struct LiveCgroups {
  std::unordered_set<std::uint64_t> task_ids;
  std::unordered_set<std::uint64_t> v2_ids;
  bool gone_task(std::uint64_t id) const {
    return id != 0 && !task_ids.empty() && !task_ids.contains(id);
  }
  bool gone_v2(std::uint64_t id) const {
    return id != 0 && !v2_ids.empty() && !v2_ids.contains(id);
  }
};

void add_counts(process_counts& sum, const process_counts& c) {
  sum.execs += c.execs;
  sum.exits_success += c.exits_success;
  sum.exits_failure += c.exits_failure;
  sum.exits_signal += c.exits_signal;
}

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
  explicit EbpfCollector(std::map<std::string, std::string, std::less<>> attach_overrides = {},
                         std::chrono::milliseconds sweep_interval = kPruneInterval)
      : attach_overrides_(std::move(attach_overrides)), sweep_interval_(sweep_interval) {}
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
    // Per-cgroup counts, read once: the node totals are their sums (plus what was swept away),
    // and the workloads collector joins them to its workloads.
    auto snapshot = std::make_shared<CgroupEbpfSnapshot>();
    snapshot->task_ids_v1_memory = cgroup_v1_memory_;
    bool oomkill = oomkill_ && oomkill_->all_attached();
    bool tcpretrans = tcpretrans_ && tcpretrans_->all_attached();
    auto by_cgroup =
        process_ ? process_->counts_by_cgroup() : std::map<std::uint64_t, process_counts>{};
    auto kills = oomkill ? oomkill_->kills_by_cgroup() : std::map<std::uint64_t, std::uint64_t>{};
    auto retransmits =
        tcpretrans ? tcpretrans_->retransmits() : std::vector<ebpf::TcpretransProbe::Entry>{};
    // The maps are read before the hierarchies are listed: a cgroup in a map existed before
    // the listing, so one missing from it is gone, not new.
    std::optional<LiveCgroups> live;
    if (sweep_due()) live = live_cgroups();
    if (process_) write_process(sink, by_cgroup, *snapshot, live);
    if (runqlat_ && runqlat_->all_attached()) {
      sink.histogram(
          "node_sched_runqueue_latency_seconds",
          "Time runnable tasks waited for a CPU, measured by eBPF.",
          log2_histogram_seconds(runqlat_->latency(), kRunqueueFirstSlot, kRunqueueLastSlot));
    }
    if (biolat_ && biolat_->all_attached()) write_biolat(sink);
    if (oomkill) {
      std::uint64_t total = retired_oom_kills_;
      std::vector<std::uint64_t> gone;
      for (const auto& [id, count] : kills) {
        total += count;
        if (live && live->gone_task(id)) {
          gone.push_back(id);
          retired_oom_kills_ += count;
        } else {
          snapshot->by_task_cgroup[id].oom_kills = count;
        }
      }
      oomkill_->forget_cgroups(gone);
      snapshot->oom_kills = true;
      sink.counter("node_oom_kills_total", "Tasks the OOM killer chose as victims, seen by eBPF.",
                   static_cast<double>(total));
    }
    if (tcpretrans) {
      std::uint64_t total = retired_retransmits_;
      std::vector<tcpretrans_key> gone;
      for (const auto& entry : retransmits) {
        total += entry.count;
        if (live && live->gone_v2(entry.key.cgroup_id)) {
          gone.push_back(entry.key);
          retired_retransmits_ += entry.count;
        } else if (entry.key.cgroup_id != 0) {
          snapshot->retransmits_by_v2_cgroup[entry.key.cgroup_id] += entry.count;
        }
      }
      tcpretrans_->forget(gone);
      snapshot->retransmits = true;
      sink.counter("node_tcp_retransmits_total", "Retransmitted TCP segments, seen by eBPF.",
                   static_cast<double>(total));
    }
    cgroup_ebpf_counts().publish(std::move(snapshot));
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
    cgroup_v1_memory_ = options.cgroup_v1_memory;
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

  bool sweep_due() {
    auto now = std::chrono::steady_clock::now();
    if (now < next_sweep_) return false;
    next_sweep_ = now + sweep_interval_;
    return true;
  }

  LiveCgroups live_cgroups() const {
    LiveCgroups live;
    live.v2_ids = cgroup_ids(cgroup_v2_root(paths_));
    live.task_ids = cgroup_v1_memory_ ? cgroup_ids(cgroup_v1_memory_root(paths_)) : live.v2_ids;
    return live;
  }

  void write_process(MetricSink& sink, const std::map<std::uint64_t, process_counts>& counts,
                     CgroupEbpfSnapshot& snapshot, const std::optional<LiveCgroups>& live) {
    bool execs = process_->attached("process_exec");
    bool exits = process_->attached("process_exit");
    if (!execs && !exits) return;
    process_counts totals = retired_process_;
    std::vector<std::uint64_t> gone;
    for (const auto& [id, c] : counts) {
      add_counts(totals, c);
      if (live && live->gone_task(id)) {
        gone.push_back(id);
        add_counts(retired_process_, c);
        continue;
      }
      auto& s = snapshot.by_task_cgroup[id];
      s.execs = c.execs;
      s.exits_success = c.exits_success;
      s.exits_failure = c.exits_failure;
      s.exits_signal = c.exits_signal;
    }
    process_->forget_cgroups(gone);
    snapshot.execs = execs;
    snapshot.exits = exits;
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
  bool cgroup_v1_memory_ = false;
  std::chrono::milliseconds sweep_interval_;
  std::chrono::steady_clock::time_point next_sweep_{};
  // Counts of swept cgroups, so that the node totals never go back.
  process_counts retired_process_{};
  std::uint64_t retired_oom_kills_ = 0;
  std::uint64_t retired_retransmits_ = 0;
};

}  // namespace

std::unique_ptr<Collector> make_ebpf_collector() { return std::make_unique<EbpfCollector>(); }

std::unique_ptr<Collector> make_ebpf_collector(
    std::map<std::string, std::string, std::less<>> attach_overrides) {
  return std::make_unique<EbpfCollector>(std::move(attach_overrides));
}

std::unique_ptr<Collector> make_ebpf_collector(
    std::map<std::string, std::string, std::less<>> attach_overrides,
    std::chrono::milliseconds sweep_interval) {
  return std::make_unique<EbpfCollector>(std::move(attach_overrides), sweep_interval);
}

}  // namespace nodeprobe

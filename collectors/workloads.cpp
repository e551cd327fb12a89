// node_workload_*: usage per Kubernetes pod and container and per systemd service, from their
// cgroups (v2, or v1 and hybrid), named through the pod directory (agent/pod_directory.h) and
// joined with the eBPF probes' per-cgroup counts (agent/cgroup_ebpf_counts.h).
#include "collectors/workloads.h"

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/cgroup_ebpf_counts.h"
#include "agent/parse.h"
#include "agent/pod_directory.h"
#include "agent/read_file.h"
#include "collectors/cgroup_tree.h"
#include "collectors/watched_files.h"
#include "collectors/workload_paths.h"
#include "collectors/workload_stats.h"

namespace nodeprobe {
namespace {

using Clock = std::chrono::steady_clock;

// A workload found in this scrape: its kind and IDs, what its cgroup files said, and the ids of
// its cgroups in the hierarchies the eBPF probes key by.
struct Found {
  WorkloadPath path;
  WorkloadUsage usage;
  bool tasks_read = false;
  bool sandbox = false;  // told before its other files are read, which are then skipped
  std::uint64_t v2_id = 0;
  std::uint64_t v1_memory_id = 0;
};

// What is kept between scrapes, for the retention window of a workload that went away.
struct Kept {
  WorkloadPath path;
  WorkloadUsage usage;
  CgroupTaskCounts tasks;
  std::uint64_t retransmits = 0;
  bool has_execs = false;
  bool has_exits = false;
  bool has_oom_kills = false;
  bool has_retransmits = false;
  Clock::time_point last_seen;
  bool present = false;
};

std::string key_of(const WorkloadPath& p) {
  switch (p.kind) {
    case WorkloadKind::kPod:
      return "pod/" + p.pod_uid;
    case WorkloadKind::kContainer:
      return "container/" + p.container_id;
    case WorkloadKind::kService:
      return "service/" + p.unit;
    case WorkloadKind::kNone:
      break;
  }
  return {};
}

void add(CgroupTaskCounts& sum, const CgroupTaskCounts& c) {
  sum.execs += c.execs;
  sum.exits_success += c.exits_success;
  sum.exits_failure += c.exits_failure;
  sum.exits_signal += c.exits_signal;
  sum.oom_kills += c.oom_kills;
}

class WorkloadsCollector final : public Collector {
 public:
  explicit WorkloadsCollector(WorkloadsClock clock) : clock_(std::move(clock)) {}

  void add_options(OptionBinder& b) override {
    retention_flag_ = b.flag_name("retention");
    b.option("retention", retention_text_,
             "How long a workload that went away keeps its final counters (a duration such as "
             "5m; 0s drops it at once).");
    b.flag("pressure", pressure_,
           "Read each workload's pressure (PSI) files: 3 of the 11 files a scrape reads per "
           "cgroup v2 workload.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    retention_ = std::chrono::duration_cast<Clock::duration>(
        duration_flag(retention_flag_, retention_text_, false));
  }

  void collect(MetricSink& sink) override {
    auto hierarchies = cgroup_hierarchies(paths_);
    if (hierarchies.empty()) {
      throw FeatureAbsent(paths_.sys("fs/cgroup") + ": no cgroup hierarchy mounted");
    }
    std::unordered_map<std::string, Found> found;
    // Every cgroup id of a pod's own cgroup and of its containers' (the hidden sandbox too),
    // to sum eBPF counts per pod: the kernel counts per cgroup, not per subtree.
    std::unordered_map<std::string, std::vector<const Found*>> pod_members;
    std::string buffer;
    watched_.begin();
    for (const auto& h : hierarchies) walk(h, found, buffer);
    watched_.end();

    auto now = clock_();
    auto ebpf = cgroup_ebpf_counts().latest();
    for (auto& [key, entry] : kept_) entry.present = false;
    for (auto& [key, f] : found) {
      if (f.path.kind == WorkloadKind::kPod || f.path.kind == WorkloadKind::kContainer) {
        pod_members[f.path.pod_uid].push_back(&f);
      }
    }
    for (auto& [key, f] : found) {
      if (f.sandbox) continue;
      Kept& k = kept_[key];
      k.path = f.path;
      k.usage = f.usage;
      k.last_seen = now;
      k.present = true;
      if (ebpf) join_ebpf(*ebpf, f, pod_members, k);
    }
    for (auto it = kept_.begin(); it != kept_.end();) {
      if (!it->second.present && now - it->second.last_seen > retention_) {
        it = kept_.erase(it);
        continue;
      }
      write(sink, it->second);
      ++it;
    }
  }

 private:
  void walk(const CgroupHierarchy& h, std::unordered_map<std::string, Found>& found,
            std::string& buffer) {
    walk_cgroups(h.root, [&](const std::string& relative, std::uint64_t inode) {
      WorkloadPath path = classify_cgroup(relative);
      if (path.kind == WorkloadKind::kNone) return path.descend;
      auto [it, fresh] = found.try_emplace(key_of(path));
      Found& f = it->second;
      if (fresh) f.path = std::move(path);
      if (h.v2 || h.v2_pressure) f.v2_id = inode;
      if (h.memory) f.v1_memory_id = inode;
      if (f.sandbox) return false;
      std::string dir_path = h.root + "/" + relative;
      CgroupDir dir(dir_path);
      if (!dir.ok()) {
        // Gone since it was listed: better its last scrape's values, kept for the retention
        // window, than an empty row.
        if (fresh) found.erase(it);
        return false;
      }
      // Processes first: they tell the sandbox, whose other files need not be read.
      if (f.path.kind != WorkloadKind::kPod && !f.tasks_read && !h.v2_pressure) {
        read_tasks(dir, h.v2, f.usage, buffer);
        f.tasks_read = true;
        if (f.path.kind == WorkloadKind::kContainer && is_sandbox(f)) {
          f.sandbox = true;
          return false;
        }
      }
      SlowFileReader slow = [&](const CgroupDir& d, const char* name, std::string& out) {
        return watched_.read(dir_path, inode, d, name, out);
      };
      if (h.v2) read_cgroup_v2(dir, f.usage, buffer, &slow, pressure_);
      if (h.v2_pressure && pressure_) read_pressure_v2(dir, f.usage, buffer);
      if (h.memory) read_cgroup_v1(V1Controller::kMemory, dir, f.usage, buffer, &slow);
      if (h.cpuacct) read_cgroup_v1(V1Controller::kCpuacct, dir, f.usage, buffer);
      if (h.cpu) read_cgroup_v1(V1Controller::kCpu, dir, f.usage, buffer);
      if (h.blkio) read_cgroup_v1(V1Controller::kBlkio, dir, f.usage, buffer);
      return f.path.descend;
    });
  }

  // The sandbox (pause) container holds the pod's namespaces; it is not one of the pod's
  // containers. Known for sure when the pod directory lists every container of the pod with
  // its ID and this one is not among them; otherwise told by its only process being "pause"
  // (the pause image of containerd, CRI-O and cri-dockerd).
  bool is_sandbox(const Found& f) const {
    if (pod_directory().container(f.path.container_id)) return false;
    if (auto pod = pod_directory().pod(f.path.pod_uid)) {
      bool all_known = !pod->containers.empty();
      for (const auto& c : pod->containers) all_known = all_known && !c.id.empty();
      if (all_known) return true;
    }
    if (f.usage.processes != 1 || !f.usage.first_pid) return false;
    std::string comm;
    int err = 0;
    if (!try_read_file(paths_.proc(std::to_string(*f.usage.first_pid) + "/comm"), comm, err, 256)) {
      return false;
    }
    return comm == "pause\n" || comm == "pause";
  }

  static void join_ebpf(const CgroupEbpfSnapshot& ebpf, const Found& f,
                        const std::unordered_map<std::string, std::vector<const Found*>>& pods,
                        Kept& k) {
    std::vector<const Found*> cgroups{&f};
    if (f.path.kind == WorkloadKind::kPod) {
      if (auto it = pods.find(f.path.pod_uid); it != pods.end()) cgroups = it->second;
    }
    k.has_execs = ebpf.execs;
    k.has_exits = ebpf.exits;
    k.has_oom_kills = ebpf.oom_kills;
    k.has_retransmits = ebpf.retransmits;
    CgroupTaskCounts tasks;
    std::uint64_t retransmits = 0;
    for (const Found* c : cgroups) {
      std::uint64_t task_id = ebpf.task_ids_v1_memory ? c->v1_memory_id : c->v2_id;
      if (auto it = ebpf.by_task_cgroup.find(task_id);
          task_id != 0 && it != ebpf.by_task_cgroup.end()) {
        add(tasks, it->second);
      }
      if (auto it = ebpf.retransmits_by_v2_cgroup.find(c->v2_id);
          c->v2_id != 0 && it != ebpf.retransmits_by_v2_cgroup.end()) {
        retransmits += it->second;
      }
    }
    k.tasks = tasks;
    k.retransmits = retransmits;
  }

  static Labels labels_of(const WorkloadPath& p) {
    if (p.kind == WorkloadKind::kService) return {{"name", p.unit}};
    std::string ns;
    std::string pod;
    std::string container;
    if (p.kind == WorkloadKind::kContainer) {
      if (auto id = pod_directory().container(p.container_id)) {
        ns = id->namespace_name;
        pod = id->pod;
        container = id->container;
      }
    }
    if (pod.empty()) {
      if (auto record = pod_directory().pod(p.pod_uid)) {
        ns = record->namespace_name;
        pod = record->name;
      }
    }
    Labels labels{{"namespace", ns}, {"pod", pod}, {"pod_uid", p.pod_uid}};
    if (p.kind == WorkloadKind::kContainer) {
      labels.push_back({"container", container});
      labels.push_back({"container_id", p.container_id});
    }
    return labels;
  }

  static void write(MetricSink& sink, const Kept& k) {
    Labels labels = labels_of(k.path);
    // A workload that went away keeps its counters only: its gauges no longer describe anything.
    bool gauges = k.present;
    auto counter = [&](const char* name, const char* help, auto value, Labels extra = {}) {
      if (!value) return;
      Labels l = labels;
      l.insert(l.end(), extra.begin(), extra.end());
      sink.counter(name, help, static_cast<double>(*value), std::move(l));
    };
    auto gauge = [&](const char* name, const char* help, auto value) {
      if (gauges && value) sink.gauge(name, help, static_cast<double>(*value), labels);
    };
    const WorkloadUsage& u = k.usage;
    counter("node_workload_cpu_usage_seconds_total", "CPU time the workload used, in seconds.",
            u.cpu_seconds);
    // As cAdvisor, the CFS families only for a workload that has had a CPU limit: without one
    // they stay 0 forever (no enforcement period ever elapses).
    if (u.cpu_periods.value_or(0) > 0) {
      counter("node_workload_cpu_periods_total",
              "CFS enforcement periods that elapsed while the workload had a CPU limit and ran.",
              u.cpu_periods);
      counter("node_workload_cpu_throttled_periods_total",
              "CFS enforcement periods in which the workload was throttled.",
              u.cpu_throttled_periods);
      counter("node_workload_cpu_throttled_seconds_total",
              "Time the workload was throttled by its CPU limit, in seconds.",
              u.cpu_throttled_seconds);
    }
    gauge("node_workload_memory_usage_bytes",
          "Memory the workload's cgroup is charged for, page cache included, in bytes.",
          u.memory_usage);
    gauge("node_workload_memory_working_set_bytes",
          "Memory usage minus inactive file pages (cAdvisor's working set), in bytes.",
          u.memory_working_set);
    gauge("node_workload_memory_limit_bytes",
          "The workload's memory limit in bytes; absent when it has none.", u.memory_limit);
    counter("node_workload_memory_oom_kills_total",
            "Processes of the workload killed by an OOM killer, as its memory cgroup counts them.",
            u.memory_oom_kills);
    const char* io_bytes = "Bytes the workload read from and wrote to block devices.";
    const char* io_ops = "Read and write operations the workload issued to block devices.";
    counter("node_workload_io_bytes_total", io_bytes, u.io_read_bytes, {{"op", "read"}});
    counter("node_workload_io_bytes_total", io_bytes, u.io_write_bytes, {{"op", "write"}});
    counter("node_workload_io_operations_total", io_ops, u.io_read_ops, {{"op", "read"}});
    counter("node_workload_io_operations_total", io_ops, u.io_write_ops, {{"op", "write"}});
    counter("node_workload_pressure_cpu_waiting_seconds_total",
            "Time in seconds some of the workload's tasks waited for a CPU.", u.cpu_pressure.some);
    counter("node_workload_pressure_cpu_stalled_seconds_total",
            "Time in seconds none of the workload's tasks could run, waiting for a CPU.",
            u.cpu_pressure.full);
    counter("node_workload_pressure_memory_waiting_seconds_total",
            "Time in seconds some of the workload's tasks waited for memory.",
            u.memory_pressure.some);
    counter("node_workload_pressure_memory_stalled_seconds_total",
            "Time in seconds none of the workload's tasks could make progress for lack of memory.",
            u.memory_pressure.full);
    counter("node_workload_pressure_io_waiting_seconds_total",
            "Time in seconds some of the workload's tasks waited for I/O.", u.io_pressure.some);
    counter("node_workload_pressure_io_stalled_seconds_total",
            "Time in seconds none of the workload's tasks could make progress, waiting for I/O.",
            u.io_pressure.full);
    gauge("node_workload_processes", "Processes in the workload's cgroup.", u.processes);
    gauge("node_workload_threads", "Threads in the workload's cgroup.", u.threads);

    auto ebpf_counter = [&](bool on, const char* name, const char* help, std::uint64_t value,
                            Labels extra = {}) {
      if (on) counter(name, help, std::optional<std::uint64_t>(value), std::move(extra));
    };
    const auto& t = k.tasks;
    ebpf_counter(k.has_execs, "node_workload_process_execs_total",
                 "Successful execs in the workload, seen by eBPF.", t.execs);
    const char* exits =
        "Processes of the workload that ended, seen by eBPF, by outcome: success (exit code 0), "
        "failure (another exit code) or signal (killed by a signal).";
    ebpf_counter(k.has_exits, "node_workload_process_exits_total", exits, t.exits_success,
                 {{"outcome", "success"}});
    ebpf_counter(k.has_exits, "node_workload_process_exits_total", exits, t.exits_failure,
                 {{"outcome", "failure"}});
    ebpf_counter(k.has_exits, "node_workload_process_exits_total", exits, t.exits_signal,
                 {{"outcome", "signal"}});
    ebpf_counter(k.has_oom_kills, "node_workload_oom_kills_total",
                 "Tasks of the workload the OOM killer chose as victims, seen by eBPF.",
                 t.oom_kills);
    ebpf_counter(k.has_retransmits, "node_workload_tcp_retransmits_total",
                 "Retransmitted TCP segments of the workload's sockets, seen by eBPF.",
                 k.retransmits);
  }

  WorkloadsClock clock_;
  std::string retention_text_ = "5m";
  std::string retention_flag_;
  bool pressure_ = true;
  Clock::duration retention_ = std::chrono::minutes(5);
  std::map<std::string, Kept> kept_;
  WatchedFiles watched_;
};

}  // namespace

std::unique_ptr<Collector> make_workloads_collector(WorkloadsClock clock) {
  return std::make_unique<WorkloadsCollector>(std::move(clock));
}

std::unique_ptr<Collector> make_workloads_collector() {
  return make_workloads_collector([] { return Clock::now(); });
}

}  // namespace nodeprobe

#pragma once

// What the eBPF probes counted per cgroup, published by the `ebpf` collector after each of its
// scrapes and read by the `workloads` collector, which joins it to the workloads it finds by
// cgroup id (the inode number of the cgroup's directory). Without the ebpf collector (disabled,
// or its probes not loaded) nothing is published and workloads carry no eBPF families.
//
// Thread-safe: a snapshot is immutable once published; readers hold it by shared_ptr.

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace nodeprobe {

struct CgroupTaskCounts {
  std::uint64_t execs = 0;
  std::uint64_t exits_success = 0;
  std::uint64_t exits_failure = 0;
  std::uint64_t exits_signal = 0;
  std::uint64_t oom_kills = 0;
};

struct CgroupEbpfSnapshot {
  // Which probes were attached: a family is only meaningful when its probe ran.
  bool execs = false;
  bool exits = false;
  bool oom_kills = false;
  bool retransmits = false;
  // Process and OOM counts are keyed by the task's cgroup: in the v1 memory hierarchy on v1
  // and hybrid hosts (where runtimes place containers), else in the v2 hierarchy.
  bool task_ids_v1_memory = false;
  std::unordered_map<std::uint64_t, CgroupTaskCounts> by_task_cgroup;
  // Retransmits are keyed by the socket's cgroup, always a v2 id.
  std::unordered_map<std::uint64_t, std::uint64_t> retransmits_by_v2_cgroup;
};

class CgroupEbpfCounts {
 public:
  void publish(std::shared_ptr<const CgroupEbpfSnapshot> snapshot) {
    std::lock_guard lock(mutex_);
    latest_ = std::move(snapshot);
  }
  // The last snapshot published, or null.
  std::shared_ptr<const CgroupEbpfSnapshot> latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const CgroupEbpfSnapshot> latest_;
};

// The process-wide holder shared by the ebpf and workloads collectors.
CgroupEbpfCounts& cgroup_ebpf_counts();

}  // namespace nodeprobe

#pragma once

// What the watch has seen of this node's pods, between the watch thread (writer) and scrapes
// (readers). It keeps the PodDirectory filled, counts Job runs and keeps a pod that went away
// for a retention window, so that a Job pod that lived two seconds between two scrapes still
// shows its start and end, and the workloads collector can still name its cgroup.
//
// Job-run counting: the first list after start is a baseline, whose pods are known but not
// counted (they started, and maybe finished, before nodeprobe was there to see it; counting
// them again after each agent restart would inflate increase()). From then on a Job pod counts
// as started once when it is first seen with status.startTime (the kubelet accepted it) and as
// finished once when it is first seen in phase Succeeded or Failed, whether that news comes
// from a watch event or a relist.

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/pod_directory.h"
#include "collectors/kube_pod.h"

namespace nodeprobe {

class PodCache {
 public:
  using Clock = std::chrono::steady_clock;

  PodCache(PodDirectory& directory, Clock::duration retention)
      : directory_(directory), retention_(retention) {}

  // After a list: pods not in it are gone (from `now`), the others are updated.
  void replace(std::vector<PodState> pods, Clock::time_point now);
  // After an ADDED or MODIFIED event.
  void upsert(PodState pod, Clock::time_point now);
  // After a DELETED event: the pod's last state, kept for the retention window.
  void remove(PodState pod, Clock::time_point now);
  // Forgets pods gone longer than the retention window, and Jobs without any pod left.
  void expire(Clock::time_point now);

  struct JobCounts {
    std::uint64_t started = 0;
    std::array<std::uint64_t, 4> finished{};  // by PodResult - 1: succeeded, failed, oom, evicted
  };
  using JobKey = std::pair<std::string, std::string>;  // namespace, job name

  struct Snapshot {
    std::vector<PodState> pods;  // present and retained, by namespace and name
    std::map<JobKey, JobCounts> jobs;
  };
  Snapshot snapshot() const;
  std::size_t size() const;

 private:
  struct Entry {
    PodState state;
    bool gone = false;
    Clock::time_point gone_at{};
  };

  void update_locked(PodState pod, bool count);
  void gone_locked(Entry& entry, Clock::time_point now);

  PodDirectory& directory_;
  Clock::duration retention_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> pods_;  // by UID
  std::map<JobKey, JobCounts> jobs_;
  bool baseline_done_ = false;
};

}  // namespace nodeprobe

#pragma once

// What the agent knows of the pods on this node, from the Kubernetes API: the `kubernetes`
// collector keeps it filled (list + watch of this node's pods), the `workloads` collector reads
// it to name the cgroups it finds. Without Kubernetes it stays empty and lookups return nothing,
// so workloads are then labelled from what their cgroup paths say (pod UID, container ID).
//
// Thread-safe: the watch thread writes while scrapes read.

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nodeprobe {

struct PodContainer {
  std::string name;  // the container's name in the pod spec
  std::string id;    // runtime container ID without the "containerd://" prefix; may be empty
};

struct PodRecord {
  std::string uid;
  std::string namespace_name;
  std::string name;
  std::string job_name;                       // owner Job's name; empty when not a Job's pod
  std::map<std::string, std::string> labels;  // only those the allow-list flag lets through
  std::vector<PodContainer> containers;       // init and regular containers
};

// A container found by its runtime ID.
struct ContainerIdentity {
  std::string namespace_name;
  std::string pod;
  std::string pod_uid;
  std::string container;
};

class PodDirectory {
 public:
  // Replaces everything (after a list) or changes one pod (after a watch event).
  void replace_all(std::vector<PodRecord> pods);
  void upsert(PodRecord pod);
  void remove(std::string_view uid);

  std::optional<ContainerIdentity> container(std::string_view container_id) const;
  std::optional<PodRecord> pod(std::string_view uid) const;
  std::size_t size() const;

 private:
  void index_locked(const PodRecord& pod);
  void unindex_locked(const PodRecord& pod);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, PodRecord> pods_;                // by UID
  std::unordered_map<std::string, std::string> container_to_pod_;  // container ID -> pod UID
};

// The process-wide directory shared by the kubernetes and workloads collectors.
PodDirectory& pod_directory();

}  // namespace nodeprobe

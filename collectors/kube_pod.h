#pragma once

// Pods as the Kubernetes API serves them (core/v1 Pod, PodList, watch events), turned into plain
// structs by pure functions that the tests call on literal strings. Only what nodeprobe uses is
// kept: identity, owner Job, allowed labels, container IDs, phase and times.

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/pod_directory.h"

namespace nodeprobe {

// Thrown for a document that is not the JSON the API server sends.
class KubeParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PodPhase { kUnknown, kPending, kRunning, kSucceeded, kFailed };

// How a pod in a terminal phase ended, as node_kubernetes_job_pods_finished_total counts it.
enum class PodResult { kNone, kSucceeded, kFailed, kOomKilled, kEvicted };
std::string_view result_name(PodResult result);  // "succeeded", "failed", "oom_killed", ...

struct PodState {
  PodRecord record;
  std::string node_name;
  PodPhase phase = PodPhase::kUnknown;
  std::optional<double> start_time;       // status.startTime, unix seconds (kubelet accepted it)
  std::optional<double> completion_time;  // the last container's terminated.finishedAt
  PodResult result = PodResult::kNone;    // set for Succeeded and Failed pods
  std::string resource_version;
};

// Which pod label names to keep (the --collector.kubernetes.pod-labels allow-list); an empty
// function keeps none.
using LabelAllow = std::function<bool(std::string_view)>;

struct PodList {
  std::string resource_version;  // where the watch that follows starts
  std::string continue_token;    // metadata.continue: more pages to fetch
  std::vector<PodState> pods;
  std::size_t skipped = 0;  // items that were not pods nodeprobe can use (no uid)
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kError;
  std::optional<PodState> pod;   // ADDED, MODIFIED, DELETED
  std::string resource_version;  // the pod's or the bookmark's metadata.resourceVersion
  int error_code = 0;            // ERROR: the Status' code (410: resourceVersion too old)
  std::string error_message;
};

// A PodList document; throws KubeParseError when it is not one.
PodList parse_pod_list(std::string_view json, const LabelAllow& allow);

// One line of a watch stream: {"type":"ADDED","object":{...}}; throws KubeParseError for
// malformed JSON, an unknown type or a pod without uid.
WatchEvent parse_watch_event(std::string_view line, const LabelAllow& allow);

// RFC 3339 as the API server writes metav1.Time ("2024-05-01T10:00:00Z", with an optional
// fraction and numeric offset) to unix seconds.
std::optional<double> parse_rfc3339(std::string_view text);

// "containerd://0123abc" -> "0123abc", the ID the cgroup paths carry.
std::string_view strip_container_runtime(std::string_view container_id);

}  // namespace nodeprobe

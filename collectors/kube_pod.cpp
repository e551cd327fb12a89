#include "collectors/kube_pod.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/parse.h"

namespace nodeprobe {
namespace {

using nlohmann::json;

// nlohmann's parser keeps its own stack, but a DOM thousands of levels deep is still built and
// walked; a pod is about ten levels deep, so anything past this is not the API server's JSON.
constexpr int kMaxDepth = 64;

bool nesting_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

json parse_json(std::string_view text) {
  if (!nesting_within(text, kMaxDepth)) throw KubeParseError("JSON nested too deeply");
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw KubeParseError("malformed JSON");
  if (!doc.is_object()) throw KubeParseError("JSON document is not an object");
  return doc;
}

// The member `key` of `object` when it is an object with that member of the right type.
const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string string_member(const json& object, const char* key) {
  const json* v = member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

const json& array_member(const json& object, const char* key) {
  static const json kEmpty = json::array();
  const json* v = member(object, key);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

PodPhase phase_of(std::string_view phase) {
  if (phase == "Pending") return PodPhase::kPending;
  if (phase == "Running") return PodPhase::kRunning;
  if (phase == "Succeeded") return PodPhase::kSucceeded;
  if (phase == "Failed") return PodPhase::kFailed;
  return PodPhase::kUnknown;
}

// The Job that owns the pod (ownerReferences kind Job in batch/*): kube-state-metrics' job_name.
std::string owner_job(const json& metadata) {
  for (const auto& owner : array_member(metadata, "ownerReferences")) {
    if (string_member(owner, "kind") == "Job" &&
        string_member(owner, "apiVersion").starts_with("batch/")) {
      return string_member(owner, "name");
    }
  }
  return {};
}

const json* terminated_state(const json& container_status) {
  const json* state = member(container_status, "state");
  return state != nullptr ? member(*state, "terminated") : nullptr;
}

// A Failed pod was evicted when the kubelet says so in status.reason (node-pressure eviction)
// or a DisruptionTarget condition says it was ended from outside (API eviction, preemption,
// kubelet shutdown); OOM-killed when one of its containers last ended with OOMKilled.
PodResult failed_result(const json& status) {
  if (string_member(status, "reason") == "Evicted") return PodResult::kEvicted;
  for (const auto& condition : array_member(status, "conditions")) {
    if (string_member(condition, "type") == "DisruptionTarget" &&
        string_member(condition, "status") == "True") {
      return PodResult::kEvicted;
    }
  }
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    for (const auto& c : array_member(status, list)) {
      const json* terminated = terminated_state(c);
      if (terminated != nullptr && string_member(*terminated, "reason") == "OOMKilled") {
        return PodResult::kOomKilled;
      }
    }
  }
  return PodResult::kFailed;
}

void add_containers(PodRecord& record, const json& spec, const char* spec_list, const json& status,
                    const char* status_list) {
  for (const auto& c : array_member(spec, spec_list)) {
    PodContainer container{string_member(c, "name"), {}};
    if (container.name.empty()) continue;
    for (const auto& s : array_member(status, status_list)) {
      if (string_member(s, "name") == container.name) {
        container.id = std::string(strip_container_runtime(string_member(s, "containerID")));
        break;
      }
    }
    record.containers.push_back(std::move(container));
  }
}

PodState pod_from_json(const json& object, const LabelAllow& allow) {
  if (!object.is_object()) throw KubeParseError("pod is not an object");
  static const json kEmpty = json::object();
  const json* metadata_p = member(object, "metadata");
  const json* spec_p = member(object, "spec");
  const json* status_p = member(object, "status");
  const json& metadata = metadata_p != nullptr ? *metadata_p : kEmpty;
  const json& spec = spec_p != nullptr ? *spec_p : kEmpty;
  const json& status = status_p != nullptr ? *status_p : kEmpty;

  PodState pod;
  pod.record.uid = string_member(metadata, "uid");
  if (pod.record.uid.empty()) throw KubeParseError("pod without metadata.uid");
  pod.record.namespace_name = string_member(metadata, "namespace");
  pod.record.name = string_member(metadata, "name");
  pod.record.job_name = owner_job(metadata);
  pod.resource_version = string_member(metadata, "resourceVersion");
  if (const json* labels = member(metadata, "labels"); labels != nullptr && allow) {
    if (labels->is_object()) {
      for (const auto& [key, value] : labels->items()) {
        if (value.is_string() && allow(key)) pod.record.labels[key] = value.get<std::string>();
      }
    }
  }
  add_containers(pod.record, spec, "initContainers", status, "initContainerStatuses");
  add_containers(pod.record, spec, "containers", status, "containerStatuses");
  add_containers(pod.record, spec, "ephemeralContainers", status, "ephemeralContainerStatuses");

  pod.node_name = string_member(spec, "nodeName");
  pod.phase = phase_of(string_member(status, "phase"));
  pod.start_time = parse_rfc3339(string_member(status, "startTime"));
  if (pod.phase == PodPhase::kSucceeded || pod.phase == PodPhase::kFailed) {
    pod.result = pod.phase == PodPhase::kSucceeded ? PodResult::kSucceeded : failed_result(status);
    for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
      for (const auto& c : array_member(status, list)) {
        const json* terminated = terminated_state(c);
        if (terminated == nullptr) continue;
        auto finished = parse_rfc3339(string_member(*terminated, "finishedAt"));
        if (finished && (!pod.completion_time || *finished > *pod.completion_time)) {
          pod.completion_time = finished;
        }
      }
    }
  }
  return pod;
}

int two_digits(std::string_view s, std::size_t at) {
  if (at + 2 > s.size() || !isdigit(static_cast<unsigned char>(s[at])) ||
      !isdigit(static_cast<unsigned char>(s[at + 1]))) {
    return -1;
  }
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

}  // namespace

std::string_view result_name(PodResult result) {
  switch (result) {
    case PodResult::kSucceeded:
      return "succeeded";
    case PodResult::kFailed:
      return "failed";
    case PodResult::kOomKilled:
      return "oom_killed";
    case PodResult::kEvicted:
      return "evicted";
    case PodResult::kNone:
      break;
  }
  return "";
}

std::string_view strip_container_runtime(std::string_view container_id) {
  auto at = container_id.find("://");
  return at == std::string_view::npos ? container_id : container_id.substr(at + 3);
}

std::optional<double> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  auto year = parse_uint(s.substr(0, 4));
  int month = two_digits(s, 5), day = two_digits(s, 8), hour = two_digits(s, 11),
      minute = two_digits(s, 14), second = two_digits(s, 17);
  if (!year || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  double fraction = 0;
  if (s[at] == '.') {
    double scale = 0.1;
    ++at;
    std::size_t digits = 0;
    while (at < s.size() && isdigit(static_cast<unsigned char>(s[at]))) {
      fraction += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  if (at >= s.size()) return std::nullopt;
  int offset = 0;
  if (s[at] == 'Z' || s[at] == 'z') {
    if (at + 1 != s.size()) return std::nullopt;
  } else if (s[at] == '+' || s[at] == '-') {
    int oh = two_digits(s, at + 1), om = two_digits(s, at + 4);
    if (at + 6 != s.size() || s[at + 3] != ':' || oh < 0 || oh > 23 || om < 0 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 60 + om) * 60 * (s[at] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t t = timegm(&tm);
  return static_cast<double>(t - offset) + fraction;
}

PodList parse_pod_list(std::string_view text, const LabelAllow& allow) {
  if (!nesting_within(text, kMaxDepth)) throw KubeParseError("JSON nested too deeply");
  PodList list;
  // Each item becomes a PodState as soon as it is parsed and leaves the DOM at once, so a list
  // holds one pod's DOM at a time rather than the whole page's (6 MiB for 200 pods).
  std::string root_key;
  json::parser_callback_t take_items = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key) root_key = parsed.get<std::string>();
    if (depth != 2 || root_key != "items") return true;
    if (event == json::parse_event_t::object_end) {
      try {
        list.pods.push_back(pod_from_json(parsed, allow));
      } catch (const KubeParseError&) {
        ++list.skipped;
      }
      return false;
    }
    if (event == json::parse_event_t::value || event == json::parse_event_t::array_end) {
      ++list.skipped;
      return false;
    }
    return true;
  };
  json doc = json::parse(text.begin(), text.end(), take_items, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) throw KubeParseError("malformed PodList JSON");
  if (const json* metadata = member(doc, "metadata")) {
    list.resource_version = string_member(*metadata, "resourceVersion");
    list.continue_token = string_member(*metadata, "continue");
  }
  const json* items = member(doc, "items");
  if (items != nullptr && !items->is_array()) throw KubeParseError("PodList items not an array");
  if (items == nullptr && string_member(doc, "kind") != "PodList") {
    throw KubeParseError("not a PodList");
  }
  return list;
}

WatchEvent parse_watch_event(std::string_view line, const LabelAllow& allow) {
  json doc = parse_json(line);
  std::string type = string_member(doc, "type");
  const json* object = member(doc, "object");
  if (object == nullptr || !object->is_object()) throw KubeParseError("watch event without object");
  WatchEvent event;
  if (type == "ADDED") {
    event.type = WatchEventType::kAdded;
  } else if (type == "MODIFIED") {
    event.type = WatchEventType::kModified;
  } else if (type == "DELETED") {
    event.type = WatchEventType::kDeleted;
  } else if (type == "BOOKMARK") {
    event.type = WatchEventType::kBookmark;
  } else if (type == "ERROR") {
    event.type = WatchEventType::kError;
    const json* code = member(*object, "code");
    event.error_code = code != nullptr && code->is_number_integer() ? code->get<int>() : 0;
    event.error_message = string_member(*object, "message");
    return event;
  } else {
    throw KubeParseError("unknown watch event type");
  }
  if (const json* metadata = member(*object, "metadata")) {
    event.resource_version = string_member(*metadata, "resourceVersion");
  }
  if (event.type != WatchEventType::kBookmark) event.pod = pod_from_json(*object, allow);
  return event;
}

}  // namespace nodeprobe

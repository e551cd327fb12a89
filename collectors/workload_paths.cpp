// Cgroup path classification for the workloads collector (collectors/workload_paths.h).
#include "collectors/workload_paths.h"

#include <vector>

#include "agent/parse.h"

namespace nodeprobe {
namespace {

bool is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool strip_suffix(std::string_view& s, std::string_view suffix) {
  if (!s.ends_with(suffix)) return false;
  s.remove_suffix(suffix.size());
  return true;
}

bool strip_prefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// "kubepods.slice", "kubepods", or "<cgroup-root>-kubepods.slice" (kubelet --cgroup-root).
bool is_kubepods(std::string_view c) {
  return c == "kubepods" || c == "kubepods.slice" || c.ends_with("-kubepods.slice");
}

// The QoS level a component names, or empty: "burstable" (cgroupfs) or
// "kubepods-burstable.slice" (systemd).
std::string_view qos_of(std::string_view c) {
  for (std::string_view qos : {"burstable", "besteffort"}) {
    if (c == qos) return qos;
    std::string_view s = c;
    if (strip_suffix(s, ".slice") && s.ends_with(qos) && s.size() > qos.size() &&
        s[s.size() - qos.size() - 1] == '-') {
      return qos;
    }
  }
  return {};
}

// "pod<uid>" (cgroupfs) or "kubepods-burstable-pod<uid with _>.slice" (systemd) -> the UID with
// dashes; empty when the component is not a pod's.
std::string pod_uid_of(std::string_view c) {
  std::string_view s = c;
  if (strip_suffix(s, ".slice")) {
    auto dash = s.rfind('-');
    if (dash == std::string_view::npos) return {};
    s.remove_prefix(dash + 1);
  }
  if (!strip_prefix(s, "pod") || s.empty() || s.size() > 64) return {};
  std::string uid;
  for (char ch : s) {
    if (ch == '_' || ch == '-') {
      uid.push_back('-');
    } else if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) {
      uid.push_back(ch);
    } else {
      return {};
    }
  }
  return uid;
}

// Runtime IDs are 64 hex digits; anything from 12 up is taken (a short ID is still an ID).
bool is_container_id(std::string_view s) { return s.size() >= 12 && s.size() <= 128 && is_hex(s); }

}  // namespace

WorkloadPath classify_cgroup(std::string_view relative_path) {
  std::vector<std::string_view> parts;
  for (auto p : split(relative_path, '/')) {
    if (!p.empty()) parts.push_back(p);
  }
  WorkloadPath out;
  std::size_t k = 0;
  while (k < parts.size() && !is_kubepods(parts[k])) ++k;

  if (k < parts.size()) {
    std::size_t i = k + 1;
    std::string_view qos = i < parts.size() ? qos_of(parts[i]) : std::string_view{};
    if (!qos.empty()) ++i;
    if (i >= parts.size()) return out;  // kubepods itself or a QoS level
    out.descend = false;                // beneath kubepods only pods hold workloads
    std::string uid = pod_uid_of(parts[i]);
    if (uid.empty()) return out;
    out.qos = qos.empty() ? "guaranteed" : std::string(qos);
    out.pod_uid = std::move(uid);
    if (i + 1 == parts.size()) {
      out.kind = WorkloadKind::kPod;
      out.descend = true;
      return out;
    }
    if (i + 2 != parts.size()) return out;  // beneath a container
    std::string_view c = parts[i + 1];
    strip_suffix(c, ".scope");
    if (c.starts_with("crio-conmon-")) return out;  // CRI-O's monitor: a runtime helper
    if (!strip_prefix(c, "cri-containerd-") && !strip_prefix(c, "crio-")) {
      strip_prefix(c, "docker-");
    }
    if (!is_container_id(c)) return out;
    out.kind = WorkloadKind::kContainer;
    out.container_id = std::string(c);
    return out;
  }

  // A service directly in system.slice or in a slice beneath it; not a service's own
  // sub-cgroups (a service that delegates, like a container runtime's, may nest more).
  bool in_system_slice = false;
  for (std::size_t j = 0; j < parts.size(); ++j) {
    if (parts[j] == "system.slice") in_system_slice = true;
    if (!parts[j].ends_with(".service")) continue;
    if (j + 1 == parts.size() && in_system_slice) {
      out.kind = WorkloadKind::kService;
      out.unit = std::string(parts[j]);
    }
    break;
  }
  return out;
}

}  // namespace nodeprobe

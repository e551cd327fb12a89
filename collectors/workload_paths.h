#pragma once

#include <string>
#include <string_view>

namespace nodeprobe {

// What a cgroup directory is, told from its path alone (relative to its hierarchy's root):
//
//   Kubernetes, systemd driver:  .../kubepods.slice/kubepods-burstable.slice/
//                                kubepods-burstable-pod<uid with _>.slice/cri-containerd-<id>.scope
//   Kubernetes, cgroupfs driver: .../kubepods/besteffort/pod<uid>/<id>
//   systemd services:            system.slice/[<sub>.slice/]<name>.service
//
// The kubepods component is found wherever it sits (kind nodes nest it under kubelet.slice,
// tests under their own cgroup). Container scopes of containerd (cri-containerd-), CRI-O (crio-)
// and Docker (docker-) are recognised, as are plain IDs (cgroupfs); crio-conmon-<id> is CRI-O's
// monitor process, a runtime helper, never a container.
enum class WorkloadKind { kNone, kPod, kContainer, kService };

struct WorkloadPath {
  WorkloadKind kind = WorkloadKind::kNone;
  std::string pod_uid;       // pods and containers: the pod UID with dashes
  std::string container_id;  // containers: the runtime's ID (hex)
  std::string qos;           // pods and containers: guaranteed, burstable or besteffort
  std::string unit;          // services: "ssh.service"
  // Whether cgroups beneath this one can be workloads: everywhere but beneath a container, a
  // runtime helper, or a kubepods level that is not a pod. kubepods may sit anywhere, even in
  // user.slice or a scope (a test's own cgroup), so nothing else is cut.
  bool descend = true;
};

WorkloadPath classify_cgroup(std::string_view relative_path);

}  // namespace nodeprobe

#include "collectors/workload_paths.h"

#include <gtest/gtest.h>

#include <string>

namespace nodeprobe {
namespace {

constexpr const char* kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kUid = "3f1c2a9e-6b1d-4c8e-9a57-2d7e0f4b8c11";
const std::string kUidSystemd = "3f1c2a9e_6b1d_4c8e_9a57_2d7e0f4b8c11";

TEST(WorkloadPaths, SystemdDriverContainerdContainer) {
  auto p = classify_cgroup("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                           kUidSystemd + ".slice/cri-containerd-" + kId + ".scope");
  EXPECT_EQ(p.kind, WorkloadKind::kContainer);
  EXPECT_EQ(p.pod_uid, kUid);
  EXPECT_EQ(p.container_id, kId);
  EXPECT_EQ(p.qos, "burstable");
  EXPECT_FALSE(p.descend);
}

TEST(WorkloadPaths, SystemdDriverCrioAndDockerScopes) {
  std::string pod =
      "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSystemd + ".slice/";
  auto crio = classify_cgroup(pod + "crio-" + kId + ".scope");
  EXPECT_EQ(crio.kind, WorkloadKind::kContainer);
  EXPECT_EQ(crio.container_id, kId);
  EXPECT_EQ(crio.qos, "besteffort");
  auto docker = classify_cgroup(pod + "docker-" + kId + ".scope");
  EXPECT_EQ(docker.kind, WorkloadKind::kContainer);
  EXPECT_EQ(docker.container_id, kId);
}

TEST(WorkloadPaths, CrioConmonIsARuntimeHelper) {
  auto p = classify_cgroup("kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/crio-conmon-" +
                           kId + ".scope");
  EXPECT_EQ(p.kind, WorkloadKind::kNone);
  EXPECT_FALSE(p.descend);
}

TEST(WorkloadPaths, GuaranteedPods) {
  auto systemd = classify_cgroup("kubepods.slice/kubepods-pod" + kUidSystemd + ".slice");
  EXPECT_EQ(systemd.kind, WorkloadKind::kPod);
  EXPECT_EQ(systemd.pod_uid, kUid);
  EXPECT_EQ(systemd.qos, "guaranteed");
  EXPECT_TRUE(systemd.descend);
  auto cgroupfs = classify_cgroup("kubepods/pod" + kUid);
  EXPECT_EQ(cgroupfs.kind, WorkloadKind::kPod);
  EXPECT_EQ(cgroupfs.pod_uid, kUid);
  EXPECT_EQ(cgroupfs.qos, "guaranteed");
}

TEST(WorkloadPaths, CgroupfsDriver) {
  auto pod = classify_cgroup("kubepods/besteffort/pod" + kUid);
  EXPECT_EQ(pod.kind, WorkloadKind::kPod);
  EXPECT_EQ(pod.qos, "besteffort");
  auto c = classify_cgroup("/kubepods/burstable/pod" + kUid + "/" + kId);
  EXPECT_EQ(c.kind, WorkloadKind::kContainer);
  EXPECT_EQ(c.qos, "burstable");
  EXPECT_EQ(c.pod_uid, kUid);
  EXPECT_EQ(c.container_id, kId);
  auto crio = classify_cgroup("kubepods/burstable/pod" + kUid + "/crio-" + std::string(kId));
  EXPECT_EQ(crio.kind, WorkloadKind::kContainer);
  EXPECT_EQ(crio.container_id, kId);
}

TEST(WorkloadPaths, KubepodsAnywhere) {
  // kind nodes (kubelet --cgroup-root) and tests put the tree below other cgroups.
  auto kind = classify_cgroup(
      "kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
      "kubelet-kubepods-burstable-pod" +
      kUidSystemd + ".slice/cri-containerd-" + kId + ".scope");
  EXPECT_EQ(kind.kind, WorkloadKind::kContainer);
  EXPECT_EQ(kind.qos, "burstable");
  EXPECT_EQ(kind.pod_uid, kUid);
  auto nested = classify_cgroup("process_api/abc/nodeprobe-test-1/kubepods/pod" + kUid + "/" + kId);
  EXPECT_EQ(nested.kind, WorkloadKind::kContainer);
  EXPECT_EQ(nested.pod_uid, kUid);
}

TEST(WorkloadPaths, KubepodsLevelsAreNotWorkloads) {
  for (const char* path : {"kubepods.slice", "kubepods", "kubepods/burstable",
                           "kubepods.slice/kubepods-besteffort.slice"}) {
    auto p = classify_cgroup(path);
    EXPECT_EQ(p.kind, WorkloadKind::kNone) << path;
    EXPECT_TRUE(p.descend) << path;
  }
}

TEST(WorkloadPaths, BeneathAContainerOrNotAPod) {
  auto below = classify_cgroup("kubepods/pod" + kUid + "/" + kId + "/init");
  EXPECT_EQ(below.kind, WorkloadKind::kNone);
  EXPECT_FALSE(below.descend);
  auto other = classify_cgroup("kubepods/burstable/something-else");
  EXPECT_EQ(other.kind, WorkloadKind::kNone);
  EXPECT_FALSE(other.descend);
  auto not_id = classify_cgroup("kubepods/pod" + kUid + "/not-a-container");
  EXPECT_EQ(not_id.kind, WorkloadKind::kNone);
  auto short_id = classify_cgroup("kubepods/pod" + kUid + "/abc");
  EXPECT_EQ(short_id.kind, WorkloadKind::kNone);
}

TEST(WorkloadPaths, Garbage) {
  for (const char* path : {"", "/", "//", "kubepods/podXYZ", "kubepods.slice/kubepods-pod.slice",
                           "kubepods/pod", "kubepods/burstable/pod3f1c/ZZZZZZZZZZZZZZZZ",
                           "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod!.slice",
                           "\xff\xfe/kubepods"}) {
    auto p = classify_cgroup(path);
    EXPECT_NE(p.kind, WorkloadKind::kPod) << path;
    EXPECT_NE(p.kind, WorkloadKind::kContainer) << path;
  }
  // An oversized component is not a pod UID.
  auto huge = classify_cgroup("kubepods/pod" + std::string(10000, 'a'));
  EXPECT_EQ(huge.kind, WorkloadKind::kNone);
}

TEST(WorkloadPaths, SystemdServices) {
  auto ssh = classify_cgroup("system.slice/ssh.service");
  EXPECT_EQ(ssh.kind, WorkloadKind::kService);
  EXPECT_EQ(ssh.unit, "ssh.service");
  auto getty = classify_cgroup("system.slice/system-getty.slice/getty@tty1.service");
  EXPECT_EQ(getty.kind, WorkloadKind::kService);
  EXPECT_EQ(getty.unit, "getty@tty1.service");
  // A service's own sub-cgroups, user services and scopes are not services of the system.
  EXPECT_EQ(classify_cgroup("system.slice/docker.service/sub.service").kind, WorkloadKind::kNone);
  EXPECT_EQ(classify_cgroup("user.slice/user-1000.slice/user@1000.service").kind,
            WorkloadKind::kNone);
  EXPECT_EQ(classify_cgroup("init.scope").kind, WorkloadKind::kNone);
  EXPECT_EQ(classify_cgroup("system.slice").kind, WorkloadKind::kNone);
}

}  // namespace
}  // namespace nodeprobe

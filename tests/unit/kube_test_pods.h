#pragma once

// Pods as the API server writes them, made to measure for the kubernetes tests.

#include <string>

namespace nodeprobe::testing {

struct TestPod {
  std::string name;
  std::string uid;
  std::string namespace_name = "batch";
  std::string job;                             // owner Job; "" = none
  std::string phase = "Running";               // Pending, Running, Succeeded, Failed
  std::string start = "2026-11-21T10:00:00Z";  // status.startTime; "" = none
  std::string finished;                        // terminated.finishedAt of the container
  std::string terminated_reason = "Completed";
  std::string pod_reason;  // status.reason ("Evicted")
  std::string container_id;
  std::string node = "node-a";
};

inline std::string pod_json(const TestPod& p) {
  std::string owner =
      p.job.empty()
          ? ""
          : R"(,"ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":")" + p.job +
                R"(","uid":"00000000-0000-0000-0000-00000000j0b1",)"
                R"("controller":true,"blockOwnerDeletion":true}])";
  std::string state = R"({"running":{"startedAt":")" + p.start + R"("}})";
  if (!p.finished.empty()) {
    state = R"({"terminated":{"exitCode":0,"reason":")" + p.terminated_reason +
            R"(","startedAt":")" + p.start + R"(","finishedAt":")" + p.finished + R"("}})";
  }
  std::string id =
      p.container_id.empty() ? "" : R"("containerID":"containerd://)" + p.container_id + R"(",)";
  std::string start = p.start.empty() ? "" : R"("startTime":")" + p.start + R"(",)";
  std::string reason = p.pod_reason.empty() ? "" : R"("reason":")" + p.pod_reason + R"(",)";
  return R"({"metadata":{"name":")" + p.name + R"(","namespace":")" + p.namespace_name +
         R"(","uid":")" + p.uid + R"(","labels":{"app":"worker","team":"data"})" + owner +
         R"(},"spec":{"nodeName":")" + p.node +
         R"(","containers":[{"name":"main","image":"busybox"}]},)"
         R"("status":{"phase":")" +
         p.phase + R"(",)" + reason + start + R"("containerStatuses":[{"name":"main",)" + id +
         R"("state":)" + state + R"(,"ready":false,"restartCount":0,"image":"busybox"}]}})";
}

}  // namespace nodeprobe::testing

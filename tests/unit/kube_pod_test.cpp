// The pod JSON parser on literal strings: a real-shaped Job pod, how pods end, lists, watch
// events, and what the API server never sends (empty, truncated, garbage, deep, wrong types).
#include "collectors/kube_pod.h"

#include <gtest/gtest.h>

#include <random>

namespace nodeprobe {
namespace {

// A Job's pod as `kubectl get pod -o json` shows it on a containerd node (trimmed of fields
// nodeprobe does not read only where they are long: managedFields, volumes, tolerations).
constexpr std::string_view kJobPod = R"({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "creationTimestamp": "2026-11-21T10:00:00Z",
    "generateName": "report-28345678-",
    "labels": {
      "batch.kubernetes.io/controller-uid": "3f1b6c0e-7a55-4f7e-9a34-1b2f4e6a8c01",
      "batch.kubernetes.io/job-name": "report-28345678",
      "controller-uid": "3f1b6c0e-7a55-4f7e-9a34-1b2f4e6a8c01",
      "job-name": "report-28345678",
      "app.kubernetes.io/name": "report"
    },
    "name": "report-28345678-x7k2p",
    "namespace": "analytics",
    "ownerReferences": [
      {
        "apiVersion": "batch/v1",
        "blockOwnerDeletion": true,
        "controller": true,
        "kind": "Job",
        "name": "report-28345678",
        "uid": "3f1b6c0e-7a55-4f7e-9a34-1b2f4e6a8c01"
      }
    ],
    "resourceVersion": "48213",
    "uid": "9c2d7e41-5b8a-4c3e-8f12-6a7b9d0e1f23"
  },
  "spec": {
    "initContainers": [
      {"image": "busybox:1.36", "name": "fetch", "resources": {}}
    ],
    "containers": [
      {
        "command": ["sh", "-c", "make-report"],
        "image": "registry.example/report:2.1",
        "imagePullPolicy": "IfNotPresent",
        "name": "report",
        "resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "250m"}}
      }
    ],
    "nodeName": "node-a",
    "restartPolicy": "Never",
    "schedulerName": "default-scheduler",
    "serviceAccountName": "default"
  },
  "status": {
    "conditions": [
      {"lastProbeTime": null, "lastTransitionTime": "2026-11-21T10:00:03Z", "reason": "PodCompleted", "status": "True", "type": "Initialized"},
      {"lastProbeTime": null, "lastTransitionTime": "2026-11-21T10:02:05Z", "reason": "PodCompleted", "status": "False", "type": "Ready"}
    ],
    "containerStatuses": [
      {
        "containerID": "containerd://5e0f2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
        "image": "registry.example/report:2.1",
        "imageID": "registry.example/report@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "lastState": {},
        "name": "report",
        "ready": false,
        "restartCount": 0,
        "started": false,
        "state": {
          "terminated": {
            "containerID": "containerd://5e0f2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
            "exitCode": 0,
            "finishedAt": "2026-11-21T10:02:04Z",
            "reason": "Completed",
            "startedAt": "2026-11-21T10:00:04Z"
          }
        }
      }
    ],
    "hostIP": "10.0.0.11",
    "initContainerStatuses": [
      {
        "containerID": "containerd://aa11bb22cc33dd44ee55ff6600778899aabbccddeeff00112233445566778899",
        "image": "docker.io/library/busybox:1.36",
        "name": "fetch",
        "ready": true,
        "restartCount": 0,
        "state": {
          "terminated": {
            "exitCode": 0,
            "finishedAt": "2026-11-21T10:00:03Z",
            "reason": "Completed",
            "startedAt": "2026-11-21T10:00:01Z"
          }
        }
      }
    ],
    "phase": "Succeeded",
    "podIP": "10.244.1.17",
    "qosClass": "Burstable",
    "startTime": "2026-11-21T10:00:00Z"
  }
})";

constexpr double kStart = 1795255200;  // 2026-11-21T10:00:00Z

LabelAllow allow_only(std::string name) {
  return [name](std::string_view label) { return label == name; };
}

std::string event(std::string_view type, std::string_view object) {
  return std::string(R"({"type":")") + std::string(type) + R"(","object":)" + std::string(object) +
         "}";
}

TEST(KubePodParse, JobPodThatSucceeded) {
  auto e = parse_watch_event(event("MODIFIED", kJobPod), allow_only("app.kubernetes.io/name"));
  ASSERT_EQ(e.type, WatchEventType::kModified);
  EXPECT_EQ(e.resource_version, "48213");
  ASSERT_TRUE(e.pod);
  const PodState& pod = *e.pod;
  EXPECT_EQ(pod.record.uid, "9c2d7e41-5b8a-4c3e-8f12-6a7b9d0e1f23");
  EXPECT_EQ(pod.record.namespace_name, "analytics");
  EXPECT_EQ(pod.record.name, "report-28345678-x7k2p");
  EXPECT_EQ(pod.record.job_name, "report-28345678");
  EXPECT_EQ(pod.record.labels,
            (std::map<std::string, std::string>{{"app.kubernetes.io/name", "report"}}));
  ASSERT_EQ(pod.record.containers.size(), 2u);
  EXPECT_EQ(pod.record.containers[0].name, "fetch");
  EXPECT_EQ(pod.record.containers[0].id,
            "aa11bb22cc33dd44ee55ff6600778899aabbccddeeff00112233445566778899");
  EXPECT_EQ(pod.record.containers[1].name, "report");
  EXPECT_EQ(pod.record.containers[1].id,
            "5e0f2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f");
  EXPECT_EQ(pod.node_name, "node-a");
  EXPECT_EQ(pod.phase, PodPhase::kSucceeded);
  EXPECT_EQ(pod.result, PodResult::kSucceeded);
  EXPECT_EQ(pod.start_time, kStart);
  EXPECT_EQ(pod.completion_time, kStart + 124);  // the last container's finishedAt
}

TEST(KubePodParse, NoLabelsWithoutAllowList) {
  auto e = parse_watch_event(event("ADDED", kJobPod), LabelAllow());
  EXPECT_TRUE(e.pod->record.labels.empty());
}

TEST(KubePodParse, HowPodsEnd) {
  auto pod = [](std::string_view status) {
    std::string object = R"({"metadata":{"uid":"u1","ownerReferences":[{"apiVersion":"batch/v1",)"
                         R"("kind":"Job","name":"j"}]},"status":)" +
                         std::string(status) + "}";
    return *parse_watch_event(event("MODIFIED", object), {}).pod;
  };
  EXPECT_EQ(pod(R"({"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":)"
                R"({"exitCode":137,"reason":"OOMKilled","finishedAt":"2026-11-21T10:00:09Z"}}}]})")
                .result,
            PodResult::kOomKilled);
  EXPECT_EQ(pod(R"({"phase":"Failed","reason":"Evicted","message":"The node was low on )"
                R"(resource: memory."})")
                .result,
            PodResult::kEvicted);
  EXPECT_EQ(pod(R"({"phase":"Failed","conditions":[{"type":"DisruptionTarget","status":"True",)"
                R"("reason":"TerminationByKubelet"}]})")
                .result,
            PodResult::kEvicted);
  auto failed = pod(R"({"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":)"
                    R"({"exitCode":1,"reason":"Error","finishedAt":"2026-11-21T10:00:09Z"}}}]})");
  EXPECT_EQ(failed.result, PodResult::kFailed);
  EXPECT_EQ(failed.completion_time, kStart + 9);
  auto running = pod(R"({"phase":"Running","startTime":"2026-11-21T10:00:00Z"})");
  EXPECT_EQ(running.result, PodResult::kNone);
  EXPECT_EQ(running.start_time, kStart);
  EXPECT_FALSE(running.completion_time);
  auto pending = pod(R"({"phase":"Pending"})");
  EXPECT_EQ(pending.phase, PodPhase::kPending);
  EXPECT_FALSE(pending.start_time);
}

TEST(KubePodParse, OwnerThatIsNotAJob) {
  auto e = parse_watch_event(
      event("ADDED", R"({"metadata":{"uid":"u1","ownerReferences":[{"apiVersion":"apps/v1",)"
                     R"("kind":"ReplicaSet","name":"web-5d4f"}]}})"),
      {});
  EXPECT_EQ(e.pod->record.job_name, "");
}

TEST(KubePodParse, PodList) {
  auto list = parse_pod_list(
      std::string(R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"48300",)"
                  R"("continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"},"items":[)") +
          std::string(kJobPod) + R"(,{"metadata":{"name":"no-uid"}},7,"x",null,[]]})",
      {});
  EXPECT_EQ(list.resource_version, "48300");
  EXPECT_EQ(list.continue_token, "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ");
  ASSERT_EQ(list.pods.size(), 1u);
  EXPECT_EQ(list.pods[0].record.name, "report-28345678-x7k2p");
  EXPECT_EQ(list.skipped, 5u);

  auto empty =
      parse_pod_list(R"({"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[]})", {});
  EXPECT_EQ(empty.resource_version, "7");
  EXPECT_TRUE(empty.pods.empty());
  // An empty list may come without items at all (omitempty in some encoders).
  EXPECT_TRUE(parse_pod_list(R"({"kind":"PodList","metadata":{}})", {}).pods.empty());
}

TEST(KubePodParse, BookmarkAndError) {
  auto bookmark = parse_watch_event(
      R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{)"
      R"("resourceVersion":"48555","annotations":{"k8s.io/initial-events-end":"true"}}}})",
      {});
  EXPECT_EQ(bookmark.type, WatchEventType::kBookmark);
  EXPECT_EQ(bookmark.resource_version, "48555");
  EXPECT_FALSE(bookmark.pod);

  auto gone = parse_watch_event(
      R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)json"
      R"json("status":"Failure","message":"too old resource version: 100 (48000)",)json"
      R"json("reason":"Expired","code":410}})json",
      {});
  EXPECT_EQ(gone.type, WatchEventType::kError);
  EXPECT_EQ(gone.error_code, 410);
  EXPECT_EQ(gone.error_message, "too old resource version: 100 (48000)");

  auto deleted = parse_watch_event(event("DELETED", kJobPod), {});
  EXPECT_EQ(deleted.type, WatchEventType::kDeleted);
  EXPECT_EQ(deleted.pod->record.uid, "9c2d7e41-5b8a-4c3e-8f12-6a7b9d0e1f23");
}

TEST(KubePodParse, WhatTheApiNeverSends) {
  const std::string truncated(kJobPod.substr(0, kJobPod.size() / 2));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string deep_object = R"({"type":"ADDED","object":)" + std::string(5000, '{');
  const std::vector<std::string> bad = {
      "",
      "   ",
      "garbage",
      event("ADDED", truncated),
      R"({"type":"ADDED"})",
      R"({"type":"ADDED","object":[]})",
      R"({"type":"ADDED","object":{"metadata":{"name":"x"}}})",  // no uid
      R"({"type":"SOMETHING","object":{"metadata":{"uid":"u"}}})",
      R"([{"type":"ADDED"}])",
      deep,
      deep_object,
      "\xff\xfe{\"type\":\"ADDED\"}",
  };
  for (const auto& line : bad) {
    EXPECT_THROW(parse_watch_event(line, {}), KubeParseError) << line.substr(0, 80);
  }
  for (const auto& doc : {std::string(), std::string("{"), std::string("[]"), deep,
                          std::string(R"({"kind":"PodList","items":{}})"),
                          std::string(R"({"kind":"Status","code":500})")}) {
    EXPECT_THROW(parse_pod_list(doc, {}), KubeParseError) << doc.substr(0, 80);
  }
}

TEST(KubePodParse, WrongTypesAreIgnoredNotFatal) {
  // Every field nodeprobe reads, with a type the API does not use for it.
  auto e = parse_watch_event(
      R"({"type":"ADDED","object":{"metadata":{"uid":"u1","name":7,"namespace":null,)"
      R"("labels":["a"],"ownerReferences":{"kind":"Job"}},"spec":{"containers":"main",)"
      R"("initContainers":[1,null,{"name":5}],"nodeName":false},"status":{"phase":3,)"
      R"("startTime":"yesterday","containerStatuses":[{"name":"main","containerID":9}]}}})",
      [](std::string_view) { return true; });
  ASSERT_TRUE(e.pod);
  EXPECT_EQ(e.pod->record.uid, "u1");
  EXPECT_EQ(e.pod->record.name, "");
  EXPECT_TRUE(e.pod->record.labels.empty());
  EXPECT_TRUE(e.pod->record.containers.empty());
  EXPECT_EQ(e.pod->phase, PodPhase::kUnknown);
  EXPECT_FALSE(e.pod->start_time);
}

TEST(KubePodParse, MutatedEventsNeverCrash) {
  // Truncations and byte changes of a real event: each parses or throws KubeParseError.
  const std::string real = event("MODIFIED", kJobPod);
  std::minstd_rand random(12345);
  const char replacements[] = {'{', '}', '[', ']', '"', ':', ',', '\\', '0', 'x', '\0', '\xff'};
  for (int i = 0; i < 3000; ++i) {
    std::string line = real.substr(0, random() % (real.size() + 1));
    if (i % 2 == 0) {
      line = real;
      for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
        line[random() % line.size()] = replacements[random() % sizeof replacements];
      }
    }
    try {
      auto e = parse_watch_event(line, [](std::string_view) { return true; });
      if (e.pod) {
        EXPECT_FALSE(e.pod->record.uid.empty());
      }
    } catch (const KubeParseError&) {
    }
    try {
      parse_pod_list(R"({"kind":"PodList","items":[)" + line + "]}", {});
    } catch (const KubeParseError&) {
    }
  }
}

TEST(KubePodParse, HugeButValidObjectParses) {
  // The size cap lives in the watch stream (one line); the parser itself takes what it gets.
  std::string object =
      R"({"metadata":{"uid":"u1","annotations":{"big":")" + std::string(3 << 20, 'x') + R"("}}})";
  EXPECT_EQ(parse_watch_event(event("ADDED", object), {}).pod->record.uid, "u1");
}

TEST(KubePodParse, Rfc3339) {
  EXPECT_EQ(parse_rfc3339("2026-11-21T10:00:00Z"), kStart);
  EXPECT_EQ(parse_rfc3339("2026-11-21T10:00:00.5Z"), kStart + 0.5);
  EXPECT_EQ(parse_rfc3339("2026-11-21T12:00:00+02:00"), kStart);
  EXPECT_EQ(parse_rfc3339("2026-11-21T09:30:00-00:30"), kStart);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  for (std::string_view bad :
       {"", "2026-11-21", "2026-11-21T10:00:00", "2026-13-21T10:00:00Z", "2026-11-21T10:00:00.Z",
        "2026-11-21T10:00:00Zjunk", "2026-11-21T10:00:00+2:00", "20x6-11-21T10:00:00Z",
        "2026-11-21 10:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(KubePodParse, ContainerRuntimePrefix) {
  EXPECT_EQ(strip_container_runtime("containerd://abc"), "abc");
  EXPECT_EQ(strip_container_runtime("cri-o://abc"), "abc");
  EXPECT_EQ(strip_container_runtime("docker://abc"), "abc");
  EXPECT_EQ(strip_container_runtime("abc"), "abc");
  EXPECT_EQ(strip_container_runtime(""), "");
}

}  // namespace
}  // namespace nodeprobe

// What the kubernetes collector's pod cache costs (docs/performance.md): a list of N pods of
// realistic size (two containers, managed fields, volumes, conditions) is parsed into the
// PodCache and the PodDirectory; reports the heap they hold afterwards (mallinfo2), the
// process's peak RSS, and the time of the list and of one scrape's snapshot.
//
//   nodeprobe_kube_pod_cache_memory [pods=200]
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "agent/pod_directory.h"
#include "collectors/kube_pod.h"
#include "collectors/kube_pod_cache.h"

namespace {

using nodeprobe::PodCache;

std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::string pod(int i) {
  std::string n = std::to_string(i);
  std::string uid = "6f1c" + std::string(4 - std::min<std::size_t>(4, n.size()), '0') + n +
                    "-5b8a-4c3e-8f12-6a7b9d0e1f23";
  std::string cid =
      std::string(60, 'a') + std::string(4 - std::min<std::size_t>(4, n.size()), '0') + n;
  bool job = i % 4 == 0;
  std::string owner =
      job ? R"([{"apiVersion":"batch/v1","kind":"Job","name":"nightly-)" + n +
                R"(","uid":"3f1b6c0e-7a55-4f7e-9a34-1b2f4e6a8c01","controller":true,"blockOwnerDeletion":true}])"
          : R"([{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4f8b7c9","uid":"3f1b6c0e-7a55-4f7e-9a34-1b2f4e6a8c02","controller":true,"blockOwnerDeletion":true}])";
  std::string container =
      R"({"name":"app","image":"registry.example/team/app:2.14.1","command":["/app","--config=/etc/app/config.yaml"],"ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"LOG_LEVEL","value":"info"}],"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},"volumeMounts":[{"mountPath":"/etc/app","name":"config"},{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-x2x9z","readOnly":true}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"})";
  std::string sidecar =
      R"({"name":"proxy","image":"registry.example/mesh/proxy:1.21.0","args":["proxy","sidecar"],"resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"50m","memory":"64Mi"}},"volumeMounts":[{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-x2x9z","readOnly":true}],"imagePullPolicy":"IfNotPresent"})";
  auto status = [&](const char* name, const char* suffix) {
    return std::string(R"({"name":")") + name + R"(","containerID":"containerd://)" + cid + suffix +
           R"(","image":"registry.example/team/app:2.14.1","imageID":"registry.example/team/app@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0","lastState":{},"ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2026-11-21T10:00:04Z"}}})";
  };
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"workload-)" + n +
         R"(-7d9f8c6b5-x7k2p","namespace":"team-)" + std::to_string(i % 10) + R"(","uid":")" + uid +
         R"(","resourceVersion":"48213","creationTimestamp":"2026-11-21T10:00:00Z","generateName":"workload-)" +
         n + R"(-7d9f8c6b5-","labels":{"app":"workload-)" + n +
         R"(","app.kubernetes.io/name":"workload","app.kubernetes.io/part-of":"shop","pod-template-hash":"7d9f8c6b5","tier":"backend"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-20T08:00:00Z","prometheus.io/scrape":"true","prometheus.io/port":"8080"},"ownerReferences":)" +
         owner +
         R"(,"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"3f1b6c0e\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{},"f:resources":{}}}}},"manager":"kube-controller-manager","operation":"Update","time":"2026-11-21T10:00:00Z"},{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{},"f:containerStatuses":{},"f:hostIP":{},"f:phase":{},"f:podIP":{},"f:startTime":{}}},"manager":"kubelet","operation":"Update","subresource":"status","time":"2026-11-21T10:00:05Z"}]},"spec":{"containers":[)" +
         container + "," + sidecar +
         R"(],"nodeName":"node-a","restartPolicy":"Always","schedulerName":"default-scheduler","serviceAccountName":"default","terminationGracePeriodSeconds":30,"tolerations":[{"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":300}],"volumes":[{"configMap":{"defaultMode":420,"name":"app-config"},"name":"config"},{"name":"kube-api-access-x2x9z","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"items":[{"key":"ca.crt","path":"ca.crt"}],"name":"kube-root-ca.crt"}}]}}]},"status":{"conditions":[{"lastTransitionTime":"2026-11-21T10:00:01Z","status":"True","type":"Initialized"},{"lastTransitionTime":"2026-11-21T10:00:05Z","status":"True","type":"Ready"},{"lastTransitionTime":"2026-11-21T10:00:05Z","status":"True","type":"ContainersReady"},{"lastTransitionTime":"2026-11-21T10:00:00Z","status":"True","type":"PodScheduled"}],"containerStatuses":[)" +
         status("app", "01") + "," + status("proxy", "02") +
         R"(],"hostIP":"10.0.0.11","phase":"Running","podIP":"10.244.1.17","podIPs":[{"ip":"10.244.1.17"}],"qosClass":"Burstable","startTime":"2026-11-21T10:00:00Z"}})";
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::atoi(argv[1]) : 200;
  std::string list =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[)";
  for (int i = 0; i < pods; ++i) list += (i > 0 ? "," : "") + pod(i);
  list += "]}";

  nodeprobe::PodDirectory directory;
  auto cache = std::make_unique<PodCache>(directory, std::chrono::minutes(5));
  // Labels as with --collector.kubernetes.pod-labels='app|tier'.
  nodeprobe::LabelAllow allow = [](std::string_view name) {
    return name == "app" || name == "tier";
  };

  std::size_t before = heap_in_use();
  auto t0 = std::chrono::steady_clock::now();
  {
    auto parsed = nodeprobe::parse_pod_list(list, allow);
    cache->replace(std::move(parsed.pods), PodCache::Clock::now());
  }
  double list_ms = ms_since(t0);
  std::size_t held = heap_in_use() - before;

  auto t1 = std::chrono::steady_clock::now();
  constexpr int kSnapshots = 100;
  for (int i = 0; i < kSnapshots; ++i) {
    auto snapshot = cache->snapshot();
    if (snapshot.pods.size() != static_cast<std::size_t>(pods)) return 1;
  }
  double snapshot_ms = ms_since(t1) / kSnapshots;

  std::printf("pods                       %d\n", pods);
  std::printf("list JSON                  %.2f MiB (%.1f KiB per pod)\n",
              static_cast<double>(list.size()) / (1 << 20),
              static_cast<double>(list.size()) / 1024 / pods);
  std::printf("cache + directory held     %.3f MiB (%.0f bytes per pod)\n",
              static_cast<double>(held) / (1 << 20), static_cast<double>(held) / pods);
  std::printf("list parse + cache fill    %.2f ms\n", list_ms);
  std::printf("one scrape's snapshot      %.3f ms\n", snapshot_ms);
  std::printf("directory size             %zu pods\n", directory.size());
  // The list text, the parse's transient DOM (one pod at a time) and the cache: compare with a
  // run for 0 pods to see the list's share.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("process peak RSS           %.1f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024);
  return 0;
}

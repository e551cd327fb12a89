// node_kubernetes_*: this node's pods from the Kubernetes API (metadata for the workloads
// collector, pod info, Job runs). The list and watch run on their own thread (kube_watch.h);
// a scrape only reads what it has seen. Without Kubernetes (no API URL flag, no
// KUBERNETES_SERVICE_HOST) the collector emits nothing and succeeds, quietly.
#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "agent/collector.h"
#include "agent/logging.h"
#include "agent/parse.h"
#include "agent/pod_directory.h"
#include "collectors/kube_pod_cache.h"
#include "collectors/kube_watch.h"

namespace nodeprobe {
namespace {

constexpr const char* kServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";
constexpr const char* kFlagPrefix = "--collector.kubernetes.";

// "app.kubernetes.io/name" -> "label_app_kubernetes_io_name", as kube-state-metrics spells them.
std::string label_name(std::string_view pod_label) {
  std::string name = "label_";
  for (char c : pod_label) {
    name.push_back(isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  }
  return name;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

class KubernetesCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.option("api-url", api_url_,
             "Kubernetes API server URL, for running outside a pod (default: in a pod, "
             "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT).");
    b.option("token-file", token_file_,
             "File with the bearer token for the API server, re-read before every request "
             "(default in a pod: the service account token).");
    b.option("ca-file", ca_file_,
             "CA certificates that verify the API server (default in a pod: the service "
             "account ca.crt; otherwise the system's).");
    b.option("node-name", node_name_,
             "This node's name; only its pods are watched (default: $NODE_NAME).");
    b.option("pod-labels", pod_labels_,
             "Regexp of pod label names exported as label_<name> on node_kubernetes_pod_info, "
             "matched against the whole name (default: none).");
    b.option("retention", retention_text_,
             "How long a pod that went away is still reported, as a duration (5m, 90s); the "
             "same spelling as --collector.workloads.retention.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    PodWatchOptions options;
    if (!pod_labels_.empty()) {
      RE2::Options re_options;
      re_options.set_log_errors(false);
      auto regex = std::make_shared<RE2>(pod_labels_, re_options);
      if (!regex->ok()) throw ConfigError(std::string(kFlagPrefix) + "pod-labels", regex->error());
      options.allow_label = [regex](std::string_view name) { return RE2::FullMatch(name, *regex); };
    }
    retention_ = duration_flag(std::string(kFlagPrefix) + "retention", retention_text_, false);
    bool explicit_url = !api_url_.empty();
    KubeEndpoint& endpoint = options.endpoint;
    endpoint.token_file = token_file_;
    endpoint.ca_file = ca_file_;
    if (explicit_url) {
      if (!api_url_.starts_with("http://") && !api_url_.starts_with("https://")) {
        throw ConfigError(std::string(kFlagPrefix) + "api-url", "not an http(s) URL: " + api_url_);
      }
      endpoint.base_url = api_url_;
      while (endpoint.base_url.ends_with('/')) endpoint.base_url.pop_back();
    } else {
      std::string host = env("KUBERNETES_SERVICE_HOST");
      if (host.empty()) return;  // not in a pod: nothing to watch, nothing to say
      std::string port = env("KUBERNETES_SERVICE_PORT");
      if (host.find(':') != std::string::npos) host = "[" + host + "]";
      endpoint.base_url = "https://" + host + ":" + (port.empty() ? "443" : port);
      if (endpoint.token_file.empty())
        endpoint.token_file = std::string(kServiceAccount) + "/token";
      if (endpoint.ca_file.empty()) endpoint.ca_file = std::string(kServiceAccount) + "/ca.crt";
    }
    options.node_name = node_name_.empty() ? env("NODE_NAME") : node_name_;
    if (options.node_name.empty()) {
      if (explicit_url) {
        throw ConfigError(std::string(kFlagPrefix) + "node-name",
                          "needed with --collector.kubernetes.api-url (or set NODE_NAME)");
      }
      // In a pod whose manifest does not pass NODE_NAME: watching every pod of the cluster is
      // not an option, guessing the node name from the hostname is often wrong. Say so once.
      log::warn(
          "kubernetes collector disabled: in a pod, but no node name; set NODE_NAME from the "
          "Downward API (spec.nodeName) or --collector.kubernetes.node-name");
      return;
    }
    auto retention = std::chrono::duration_cast<PodCache::Clock::duration>(retention_);
    cache_ = std::make_unique<PodCache>(pod_directory(), retention);
    watcher_ = std::make_unique<PodWatcher>(std::move(options), *cache_);
  }

  void collect(MetricSink& sink) override {
    if (!watcher_) return;
    std::call_once(started_, [this] { watcher_->start(); });
    cache_->expire(PodCache::Clock::now());
    auto snapshot = cache_->snapshot();
    collect_self(sink, snapshot.pods.size());
    for (const auto& pod : snapshot.pods) collect_pod(sink, pod);
    for (const auto& [key, counts] : snapshot.jobs) {
      Labels labels = {{"namespace", key.first}, {"job_name", key.second}};
      sink.counter("node_kubernetes_job_pods_started_total",
                   "Pods of a Job that the kubelet of this node started.",
                   static_cast<double>(counts.started), labels);
      for (auto result : {PodResult::kSucceeded, PodResult::kFailed, PodResult::kOomKilled,
                          PodResult::kEvicted}) {
        Labels with_result = labels;
        with_result.push_back({"result", std::string(result_name(result))});
        sink.counter("node_kubernetes_job_pods_finished_total",
                     "Pods of a Job on this node that ended, by how they ended.",
                     static_cast<double>(counts.finished[static_cast<std::size_t>(result) - 1]),
                     std::move(with_result));
      }
    }
  }

 private:
  void collect_self(MetricSink& sink, std::size_t pods) {
    sink.gauge("nodeprobe_kubernetes_synced",
               "1 when the pod list and watch follow the API server, 0 while it is retried.",
               watcher_->synced() ? 1 : 0);
    sink.gauge("nodeprobe_kubernetes_pods",
               "Pods of this node known from the API, including those kept after they went away.",
               static_cast<double>(pods));
    std::uint64_t lists = watcher_->lists();
    sink.counter("nodeprobe_kubernetes_relists_total",
                 "Lists of this node's pods after the first one (410 Gone, errors).",
                 static_cast<double>(lists > 0 ? lists - 1 : 0));
    sink.counter("nodeprobe_kubernetes_watch_events_total",
                 "Watch events received from the API server.",
                 static_cast<double>(watcher_->events()));
    for (std::size_t i = 0; i < static_cast<std::size_t>(WatchError::kCount); ++i) {
      auto error = static_cast<WatchError>(i);
      sink.counter("nodeprobe_kubernetes_watch_errors_total",
                   "Failed lists and watches, and skipped watch events, by reason.",
                   static_cast<double>(watcher_->errors(error)),
                   {{"reason", std::string(watch_error_name(error))}});
    }
  }

  static void collect_pod(MetricSink& sink, const PodState& pod) {
    const PodRecord& r = pod.record;
    Labels info = {{"namespace", r.namespace_name}, {"pod", r.name}, {"uid", r.uid}};
    for (const auto& [name, value] : r.labels) {
      // "app.x" and "app_x" both become label_app_x; the first (in name order) wins.
      std::string label = label_name(name);
      bool taken = std::any_of(info.begin(), info.end(),
                               [&](const auto& existing) { return existing.name == label; });
      if (!taken) info.push_back({std::move(label), value});
    }
    sink.gauge("node_kubernetes_pod_info",
               "A pod on this node, with its allowed labels (--collector.kubernetes.pod-labels).",
               1, std::move(info));
    if (r.job_name.empty()) return;
    Labels labels = {
        {"namespace", r.namespace_name}, {"job_name", r.job_name}, {"pod", r.name}, {"uid", r.uid}};
    if (pod.start_time) {
      sink.gauge("node_kubernetes_job_pod_start_time_seconds",
                 "When the kubelet started a pod of a Job, in unix seconds (status.startTime).",
                 *pod.start_time, labels);
    }
    if (pod.result != PodResult::kNone && pod.completion_time) {
      labels.push_back({"result", std::string(result_name(pod.result))});
      sink.gauge("node_kubernetes_job_pod_completion_time_seconds",
                 "When a pod of a Job ended, in unix seconds (its last container's finishedAt).",
                 *pod.completion_time, std::move(labels));
    }
  }

  std::string api_url_;
  std::string token_file_;
  std::string ca_file_;
  std::string node_name_;
  std::string pod_labels_;
  std::string retention_text_ = "5m";
  std::chrono::nanoseconds retention_ = std::chrono::minutes(5);

  std::unique_ptr<PodCache> cache_;
  std::unique_ptr<PodWatcher> watcher_;  // after cache_: stopped before the cache goes
  std::once_flag started_;
};

}  // namespace

std::unique_ptr<Collector> make_kubernetes_collector() {
  return std::make_unique<KubernetesCollector>();
}

}  // namespace nodeprobe

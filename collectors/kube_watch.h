#pragma once

// Keeps a PodCache in step with this node's pods, as client-go's reflector does: list
// (fieldSelector=spec.nodeName=<node>), then watch from the list's resourceVersion with
// bookmarks; a watch that ends is resumed from the last resourceVersion seen, a 410 Gone (as an
// HTTP status or an ERROR event) means that version is too old and the pods are listed again.
// Errors back off exponentially with jitter; a 401 is retried with the token file read afresh
// (every request reads it). Runs on its own thread: scrapes never wait on the network.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "collectors/kube_client.h"
#include "collectors/kube_pod.h"
#include "collectors/kube_pod_cache.h"

namespace nodeprobe {

struct PodWatchOptions {
  KubeEndpoint endpoint;
  std::string node_name;
  LabelAllow allow_label;
  std::chrono::milliseconds backoff_initial{800};  // client-go's reflector starts at 800 ms
  std::chrono::milliseconds backoff_max{30000};
  std::size_t max_event_bytes = 2 << 20;  // one watch line; etcd refuses objects over 1.5 MiB
  std::size_t max_list_bytes = 64 << 20;  // one page of a list
  int list_page_size = 500;
  int watch_timeout_seconds = 300;  // asked of the server, as client-go does (5 to 10 minutes)
};

// Why a list or watch failed, as nodeprobe_kubernetes_watch_errors_total{reason} counts it.
enum class WatchError : std::size_t {
  kNetwork,       // no connection, TLS, timeout
  kUnauthorized,  // 401 or 403
  kGone,          // 410: resourceVersion too old, relisted
  kServer,        // 5xx, 429, another status
  kMalformed,     // JSON that is not what the API sends, or a pod without uid
  kOversized,     // an event or list page above its cap
  kCount
};
std::string_view watch_error_name(WatchError error);

class PodWatcher {
 public:
  PodWatcher(PodWatchOptions options, PodCache& cache);
  ~PodWatcher();  // stops the thread
  PodWatcher(const PodWatcher&) = delete;
  PodWatcher& operator=(const PodWatcher&) = delete;

  void start();
  void stop();

  std::uint64_t errors(WatchError error) const {
    return errors_[static_cast<std::size_t>(error)].load();
  }
  std::uint64_t lists() const { return lists_.load(); }
  std::uint64_t events() const { return events_.load(); }
  // True while the cache follows the API server: after a list, until an error.
  bool synced() const { return synced_.load(); }

 private:
  enum class WatchEnd { kResume, kRelist, kError };

  void run();
  bool list();
  WatchEnd watch();
  bool handle_line(std::string_view line, WatchEnd& end, bool& saw_event);
  void in_step();  // after a list, or a watch answered 200: synced, and say so once
  void fail(WatchError error, const KubeResponse* response, std::string_view detail);
  WatchError classify(const KubeResponse& response) const;
  void back_off();
  std::string selector() const;

  PodWatchOptions options_;
  PodCache& cache_;
  KubeClient client_;
  std::string resource_version_;
  int failures_ = 0;
  std::minstd_rand random_{std::random_device{}()};
  std::string last_logged_;

  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(WatchError::kCount)> errors_{};
  std::atomic<std::uint64_t> lists_{0};
  std::atomic<std::uint64_t> events_{0};
  std::atomic<bool> synced_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nodeprobe

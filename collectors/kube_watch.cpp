#include "collectors/kube_watch.h"

#include <algorithm>

#include "agent/logging.h"

namespace nodeprobe {
namespace {

using Clock = std::chrono::steady_clock;

// A watch that ends this soon without one event is a server refusing watches; resuming at once
// would spin, so it backs off like an error (client-go does the same for "very short watch").
constexpr auto kShortWatch = std::chrono::seconds(1);

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string_view watch_error_name(WatchError error) {
  switch (error) {
    case WatchError::kNetwork:
      return "network";
    case WatchError::kUnauthorized:
      return "unauthorized";
    case WatchError::kGone:
      return "gone";
    case WatchError::kServer:
      return "server";
    case WatchError::kMalformed:
      return "malformed";
    case WatchError::kOversized:
      return "oversized";
    case WatchError::kCount:
      break;
  }
  return "";
}

PodWatcher::PodWatcher(PodWatchOptions options, PodCache& cache)
    : options_(std::move(options)), cache_(cache), client_(options_.endpoint) {}

PodWatcher::~PodWatcher() { stop(); }

void PodWatcher::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !stopping_) thread_ = std::thread(&PodWatcher::run, this);
}

void PodWatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  client_.interrupt();
  if (thread_.joinable()) thread_.join();
}

std::string PodWatcher::selector() const {
  return "/api/v1/pods?fieldSelector=" + url_encode("spec.nodeName=" + options_.node_name);
}

WatchError PodWatcher::classify(const KubeResponse& response) const {
  if (response.too_large) return WatchError::kOversized;
  if (response.status == 0 || !response.error.empty()) return WatchError::kNetwork;
  if (response.status == 401 || response.status == 403) return WatchError::kUnauthorized;
  if (response.status == 410) return WatchError::kGone;
  return WatchError::kServer;
}

void PodWatcher::fail(WatchError error, const KubeResponse* response, std::string_view detail) {
  ++errors_[static_cast<std::size_t>(error)];
  synced_ = false;
  std::string status = response != nullptr ? std::to_string(response->status) : "";
  std::string what = std::string(watch_error_name(error)) + status + std::string(detail);
  // Logged once per change of state, not on every retry of an API server that stays down.
  if (what == last_logged_) return;
  last_logged_ = what;
  log::warn("kubernetes pod watch failed, retrying with back-off",
            {{"reason", watch_error_name(error)},
             {"status", status},
             {"detail", detail.substr(0, 300)},
             {"url", options_.endpoint.base_url}});
}

void PodWatcher::back_off() {
  ++failures_;
  auto delay = options_.backoff_initial;
  for (int i = 1; i < failures_ && delay < options_.backoff_max; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_max);
  // Between half and all of the delay, so that the agents of a whole cluster, cut off by the
  // same API server restart, do not come back in step.
  std::uniform_int_distribution<long> jitter(delay.count() / 2, delay.count());
  std::chrono::milliseconds wait(jitter(random_));
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, wait, [&] { return stopping_; });
}

bool PodWatcher::list() {
  std::vector<PodState> pods;
  std::string continue_token;
  std::string resource_version;
  do {
    std::string path = selector() + "&limit=" + std::to_string(options_.list_page_size);
    if (!continue_token.empty()) path += "&continue=" + url_encode(continue_token);
    KubeResponse response = client_.get(path, options_.max_list_bytes);
    if (response.interrupted) return false;
    if (response.status != 200 || !response.error.empty() || response.too_large) {
      fail(classify(response), &response, response.error.empty() ? response.body : response.error);
      return false;
    }
    try {
      PodList page = parse_pod_list(response.body, options_.allow_label);
      if (page.skipped > 0)
        errors_[static_cast<std::size_t>(WatchError::kMalformed)] += page.skipped;
      std::move(page.pods.begin(), page.pods.end(), std::back_inserter(pods));
      resource_version = std::move(page.resource_version);
      continue_token = std::move(page.continue_token);
    } catch (const KubeParseError& e) {
      fail(WatchError::kMalformed, nullptr, e.what());
      return false;
    }
  } while (!continue_token.empty());

  auto now = Clock::now();
  cache_.replace(std::move(pods), now);
  cache_.expire(now);
  resource_version_ = std::move(resource_version);
  ++lists_;
  failures_ = 0;
  in_step();
  return true;
}

void PodWatcher::in_step() {
  synced_ = true;
  if (!last_logged_.empty()) {
    log::info("kubernetes pod watch synced", {{"url", options_.endpoint.base_url}});
    last_logged_.clear();
  }
}

bool PodWatcher::handle_line(std::string_view line, WatchEnd& end, bool& saw_event) {
  WatchEvent event;
  try {
    event = parse_watch_event(line, options_.allow_label);
  } catch (const KubeParseError& e) {
    // One bad line loses one update; the stream and the cache go on.
    ++errors_[static_cast<std::size_t>(WatchError::kMalformed)];
    log::debug("kubernetes watch event skipped", {{"reason", e.what()}});
    return true;
  }
  ++events_;
  auto now = Clock::now();
  switch (event.type) {
    case WatchEventType::kAdded:
    case WatchEventType::kModified:
      cache_.upsert(std::move(*event.pod), now);
      break;
    case WatchEventType::kDeleted:
      cache_.remove(std::move(*event.pod), now);
      break;
    case WatchEventType::kBookmark:
      break;
    case WatchEventType::kError:
      if (event.error_code == 410) {
        ++errors_[static_cast<std::size_t>(WatchError::kGone)];
        end = WatchEnd::kRelist;
      } else {
        fail(WatchError::kServer, nullptr, event.error_message);
        end = WatchEnd::kError;
      }
      return false;
  }
  if (!event.resource_version.empty()) resource_version_ = std::move(event.resource_version);
  saw_event = true;
  failures_ = 0;
  return true;
}

PodWatcher::WatchEnd PodWatcher::watch() {
  std::string path = selector() + "&watch=1&allowWatchBookmarks=true&resourceVersion=" +
                     url_encode(resource_version_) +
                     "&timeoutSeconds=" + std::to_string(options_.watch_timeout_seconds);
  auto started = Clock::now();
  WatchEnd end = WatchEnd::kResume;
  bool saw_event = false;
  KubeClient::StreamHandler handler;
  // A watch that opens again after an error is in step again: it resumes where it left off.
  handler.on_open = [&] { in_step(); };
  handler.on_line = [&](std::string_view line) { return handle_line(line, end, saw_event); };
  handler.on_oversized = [&] {
    ++errors_[static_cast<std::size_t>(WatchError::kOversized)];
    log::debug("kubernetes watch event above the size cap skipped",
               {{"max_bytes", std::to_string(options_.max_event_bytes)}});
  };
  KubeResponse response = client_.stream(path, options_.max_event_bytes, handler);
  if (response.interrupted) return WatchEnd::kResume;
  if (response.status == 410) {
    ++errors_[static_cast<std::size_t>(WatchError::kGone)];
    return WatchEnd::kRelist;
  }
  if (response.status != 200 || !response.error.empty()) {
    fail(classify(response), &response, response.error.empty() ? response.body : response.error);
    return WatchEnd::kError;
  }
  if (end != WatchEnd::kResume) return end;
  if (!saw_event && Clock::now() - started < kShortWatch) return WatchEnd::kError;
  return WatchEnd::kResume;
}

void PodWatcher::run() {
  bool relisted_without_events = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (resource_version_.empty() && !list()) {
      back_off();
      continue;
    }
    std::uint64_t events_before = events_;
    switch (watch()) {
      case WatchEnd::kResume:
        break;
      case WatchEnd::kRelist:
        resource_version_.clear();
        // Two 410s in a row with nothing between: do not hammer the server with lists.
        // (The ERROR event itself is one event.)
        if (relisted_without_events && events_ <= events_before + 1) back_off();
        relisted_without_events = events_ <= events_before + 1;
        break;
      case WatchEnd::kError:
        back_off();
        break;
    }
  }
}

}  // namespace nodeprobe

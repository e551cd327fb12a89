#include "collectors/kube_pod_cache.h"

#include <algorithm>
#include <set>

namespace nodeprobe {

void PodCache::update_locked(PodState pod, bool count) {
  auto it = pods_.find(pod.record.uid);
  bool known = it != pods_.end();
  bool was_started =
      known && (it->second.state.start_time || it->second.state.result != PodResult::kNone);
  bool was_finished = known && it->second.state.result != PodResult::kNone;
  if (!pod.record.job_name.empty()) {
    auto& job = jobs_[{pod.record.namespace_name, pod.record.job_name}];
    if (count && !was_started && (pod.start_time || pod.result != PodResult::kNone)) ++job.started;
    if (count && !was_finished && pod.result != PodResult::kNone) {
      ++job.finished[static_cast<std::size_t>(pod.result) - 1];
    }
  }
  // A pod's end does not go back: keep the first completion seen if a later state lost it.
  if (was_finished && pod.result == PodResult::kNone) {
    pod.result = it->second.state.result;
    pod.completion_time = it->second.state.completion_time;
  }
  directory_.upsert(pod.record);
  std::string uid = pod.record.uid;
  if (known) {
    it->second.state = std::move(pod);
    it->second.gone = false;
  } else {
    pods_.emplace(std::move(uid), Entry{std::move(pod)});
  }
}

void PodCache::gone_locked(Entry& entry, Clock::time_point now) {
  if (entry.gone) return;
  entry.gone = true;
  entry.gone_at = now;
}

void PodCache::replace(std::vector<PodState> pods, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  bool count = baseline_done_;
  if (!baseline_done_) {
    // Whatever an earlier watcher left in the directory is not this node's truth any more.
    directory_.replace_all({});
    baseline_done_ = true;
  }
  std::set<std::string> listed;
  for (auto& pod : pods) {
    listed.insert(pod.record.uid);
    update_locked(std::move(pod), count);
  }
  for (auto& [uid, entry] : pods_) {
    if (!listed.contains(uid)) gone_locked(entry, now);
  }
}

void PodCache::upsert(PodState pod, Clock::time_point) {
  std::lock_guard lock(mutex_);
  update_locked(std::move(pod), true);
}

void PodCache::remove(PodState pod, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::string uid = pod.record.uid;
  update_locked(std::move(pod), true);
  gone_locked(pods_.at(uid), now);
}

void PodCache::expire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::set<JobKey> live_jobs;
  for (auto it = pods_.begin(); it != pods_.end();) {
    if (it->second.gone && now - it->second.gone_at >= retention_) {
      directory_.remove(it->first);
      it = pods_.erase(it);
      continue;
    }
    const auto& record = it->second.state.record;
    if (!record.job_name.empty()) live_jobs.insert({record.namespace_name, record.job_name});
    ++it;
  }
  std::erase_if(jobs_, [&](const auto& job) { return !live_jobs.contains(job.first); });
}

PodCache::Snapshot PodCache::snapshot() const {
  Snapshot snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot.pods.reserve(pods_.size());
    for (const auto& [uid, entry] : pods_) snapshot.pods.push_back(entry.state);
    snapshot.jobs = jobs_;
  }
  std::sort(snapshot.pods.begin(), snapshot.pods.end(), [](const auto& a, const auto& b) {
    return std::tie(a.record.namespace_name, a.record.name, a.record.uid) <
           std::tie(b.record.namespace_name, b.record.name, b.record.uid);
  });
  return snapshot;
}

std::size_t PodCache::size() const {
  std::lock_guard lock(mutex_);
  return pods_.size();
}

}  // namespace nodeprobe

#include "agent/pod_directory.h"

#include <mutex>

namespace nodeprobe {

void PodDirectory::replace_all(std::vector<PodRecord> pods) {
  std::unique_lock lock(mutex_);
  pods_.clear();
  container_to_pod_.clear();
  for (auto& pod : pods) {
    index_locked(pod);
    std::string uid = pod.uid;
    pods_.insert_or_assign(std::move(uid), std::move(pod));
  }
}

void PodDirectory::upsert(PodRecord pod) {
  std::unique_lock lock(mutex_);
  if (auto it = pods_.find(pod.uid); it != pods_.end()) unindex_locked(it->second);
  index_locked(pod);
  std::string uid = pod.uid;
  pods_.insert_or_assign(std::move(uid), std::move(pod));
}

void PodDirectory::remove(std::string_view uid) {
  std::unique_lock lock(mutex_);
  auto it = pods_.find(std::string(uid));
  if (it == pods_.end()) return;
  unindex_locked(it->second);
  pods_.erase(it);
}

std::optional<ContainerIdentity> PodDirectory::container(std::string_view container_id) const {
  std::shared_lock lock(mutex_);
  auto owner = container_to_pod_.find(std::string(container_id));
  if (owner == container_to_pod_.end()) return std::nullopt;
  auto pod = pods_.find(owner->second);
  if (pod == pods_.end()) return std::nullopt;
  for (const auto& c : pod->second.containers) {
    if (c.id == container_id) {
      return ContainerIdentity{pod->second.namespace_name, pod->second.name, pod->second.uid,
                               c.name};
    }
  }
  return std::nullopt;
}

std::optional<PodRecord> PodDirectory::pod(std::string_view uid) const {
  std::shared_lock lock(mutex_);
  auto it = pods_.find(std::string(uid));
  if (it == pods_.end()) return std::nullopt;
  return it->second;
}

std::size_t PodDirectory::size() const {
  std::shared_lock lock(mutex_);
  return pods_.size();
}

void PodDirectory::index_locked(const PodRecord& pod) {
  for (const auto& c : pod.containers) {
    if (!c.id.empty()) container_to_pod_[c.id] = pod.uid;
  }
}

void PodDirectory::unindex_locked(const PodRecord& pod) {
  for (const auto& c : pod.containers) {
    auto it = container_to_pod_.find(c.id);
    if (it != container_to_pod_.end() && it->second == pod.uid) container_to_pod_.erase(it);
  }
}

PodDirectory& pod_directory() {
  static PodDirectory directory;
  return directory;
}

}  // namespace nodeprobe

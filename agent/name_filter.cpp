#include "agent/name_filter.h"

#include "agent/collector.h"

namespace nodeprobe {

void NameFilter::compile(const std::string& pattern, const std::string& flag) {
  regex_ = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!regex_->ok()) throw ConfigError(flag, "invalid regex: " + regex_->error());
  cache_.clear();
}

bool NameFilter::matches(std::string_view name) {
  auto it = cache_.find(name);
  if (it != cache_.end()) return it->second;
  bool match = RE2::PartialMatch(name, *regex_);
  // Bounded: a kernel never prints this many names, garbage input might.
  if (cache_.size() < kMaxCachedNames) cache_.emplace(std::string(name), match);
  return match;
}

}  // namespace nodeprobe

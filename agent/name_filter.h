#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "agent/string_map.h"

namespace nodeprobe {

// A --collector.X.fields style regex applied to the kernel's field names. The names a kernel
// prints do not change while it runs, so each is matched once and remembered: matching every
// /proc/vmstat or /proc/net/netstat name on every scrape was most of those collectors' cost.
class NameFilter {
 public:
  // Compiles `pattern`; throws ConfigError naming `flag` when it is not a valid RE2 regex.
  void compile(const std::string& pattern, const std::string& flag);

  // Go's regexp.MatchString semantics: the pattern may match anywhere in the name.
  bool matches(std::string_view name);

 private:
  static constexpr std::size_t kMaxCachedNames = 4096;
  std::unique_ptr<RE2> regex_;
  StringMap<bool> cache_;
};

}  // namespace nodeprobe

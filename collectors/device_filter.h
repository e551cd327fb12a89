#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

namespace nodeprobe {

// node_exporter's deviceFilter: a device is ignored when it matches the exclude pattern or, with
// an include pattern, when it does not match that. An empty pattern means "no pattern". Matching
// is unanchored, as Go's MatchString.
class DeviceFilter {
 public:
  DeviceFilter() = default;

  // Compiles both patterns; throws ConfigError naming the flag of a pattern that is not a valid
  // regular expression.
  DeviceFilter(std::string_view exclude, std::string_view exclude_flag, std::string_view include,
               std::string_view include_flag);

  bool ignored(std::string_view device) const;

 private:
  std::shared_ptr<const RE2> exclude_;
  std::shared_ptr<const RE2> include_;
};

}  // namespace nodeprobe

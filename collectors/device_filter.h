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

// The flags of one exclude/include pair as node_exporter's newer collectors take them.
struct DeviceFilterFlags {
  std::string exclude;
  std::string_view default_exclude;
  std::string old_exclude;  // a deprecated ignored-* flag that stands for the exclude
  std::string include;
  std::string exclude_flag, include_flag, old_flag;
};

// node_exporter's rules for such a pair: the deprecated flag replaces the exclude (with a warning)
// and may not be given with it; an include given alone replaces the default exclude (1.5 refused
// that, later releases allow it); an include with an explicit exclude is an error. Throws
// ConfigError naming the flag.
DeviceFilter make_device_filter(DeviceFilterFlags flags);

}  // namespace nodeprobe

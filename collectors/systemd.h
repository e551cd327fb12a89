#pragma once

// The pure parts of the systemd collector (collectors/systemd.cpp), for tests on strings.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

namespace nodeprobe {

// The Manager's Version property as node_exporter reads it: the first run of three or more
// digits with an optional ".minor" is the number ("252.38-1~deb12u1" is 252.38), and the whole
// string is the version label. No number: 0 and an empty label.
struct SystemdVersion {
  double number = 0;
  std::string full;
};
SystemdVersion parse_systemd_version(std::string_view version);

// node_exporter's unit selection: a unit is reported when its whole name matches the include
// pattern and does not match the exclude pattern (both anchored, as "^(?:pattern)$").
class UnitFilter {
 public:
  UnitFilter() = default;
  // Throws ConfigError naming the flag of a pattern that is not a valid regular expression.
  UnitFilter(std::string_view include, std::string_view include_flag, std::string_view exclude,
             std::string_view exclude_flag);

  bool selected(std::string_view unit) const;

 private:
  std::shared_ptr<const RE2> include_;
  std::shared_ptr<const RE2> exclude_;
};

}  // namespace nodeprobe

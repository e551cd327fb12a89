#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nodeprobe {

// A hwmon attribute file name split as Documentation/hwmon/sysfs-interface.rst names them:
// <type><number>_<property> ("temp1_input", "in0_min", "fan2_alarm"), or a bare type
// ("vrm", "update_interval", "beep_enable").
struct HwmonAttributeName {
  std::string type;
  int number = 0;
  std::string property;
};

// nullopt for names that do not have that shape; the split is node_exporter's, quirks and all
// ("temp_1x" is type "temp", property "1x").
std::optional<HwmonAttributeName> parse_hwmon_attribute_name(std::string_view name);

// node_exporter's cleanMetricName: lower case, every character outside [a-z0-9:_] replaced
// with "_", leading and trailing "_" removed. "Core 0" -> "core_0", "coretemp.0" -> "coretemp_0".
std::string clean_hwmon_name(std::string_view name);

}  // namespace nodeprobe

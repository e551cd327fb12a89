#pragma once

#include <optional>
#include <string_view>

namespace nodeprobe {

struct LoadAverage {
  double load1 = 0, load5 = 0, load15 = 0;
};

// "0.26 0.11 0.04 1/123 4567" -> the three averages; nullopt when malformed.
std::optional<LoadAverage> parse_loadavg(std::string_view text);

}  // namespace nodeprobe

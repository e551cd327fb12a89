#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace nodeprobe {

// "pgfault 1330163" lines -> (name, value) pairs viewing into `text`; other lines are skipped.
std::vector<std::pair<std::string_view, double>> parse_vmstat(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace nodeprobe {

// "pgfault 1330163" lines -> (name, value) pairs viewing into `text`. The kernel prints unsigned
// integers under names of [a-z0-9_]; lines that are not a name and such a number are skipped.
std::vector<std::pair<std::string_view, double>> parse_vmstat(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <optional>
#include <string_view>

namespace nodeprobe {

// The totals of one /proc/pressure/<resource> file, in seconds (the kernel counts microseconds).
struct PressureTotals {
  std::optional<double> some;
  std::optional<double> full;
};

// "some avg10=0.00 avg60=0.00 avg300=0.00 total=123\nfull ..." -> totals; lines that do not
// parse are skipped.
PressureTotals parse_pressure(std::string_view text);

}  // namespace nodeprobe

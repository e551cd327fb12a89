#pragma once

// Parsers for the /sys/class/infiniband port attributes (Documentation/ABI/stable/
// sysfs-class-infiniband), with prometheus/procfs's rules (sysfs/class_infiniband.go).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nodeprobe {

// "4: ACTIVE" (state) or "5: LinkUp" (phys_state): exactly one colon, a decimal id before it.
struct InfinibandState {
  std::uint32_t id = 0;
  std::string name;
};
std::optional<InfinibandState> parse_infiniband_state(std::string_view text);

// "100 Gb/sec (4X EDR)" in bytes per second; the number is read as a 32-bit float, as procfs
// does, and anything after the first space is ignored.
std::optional<std::uint64_t> parse_infiniband_rate(std::string_view text);

}  // namespace nodeprobe

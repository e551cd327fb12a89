#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeprobe {

// An unsigned number as Go's strconv.ParseUint(s, 0, 64) reads it, which prometheus/procfs's
// ValueParser uses for sysfs counters: decimal, 0x.. hexadecimal (fc_host statistics print
// "0x1f"), 0o.. or 0.. octal, 0b.. binary; no sign, nothing around it.
std::optional<std::uint64_t> parse_go_uint(std::string_view s);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeprobe {

// A numeric /sys/class/net/<iface>/* attribute ("1500\n", "0x1003\n", "-1\n") as node_exporter
// reads it (Go's strconv.ParseInt with base 0 after trimming white space): an optional sign,
// then decimal, 0x hex, 0o or leading-0 octal, or 0b binary. nullopt for anything else,
// including overflow.
std::optional<std::int64_t> parse_netclass_value(std::string_view text);

}  // namespace nodeprobe

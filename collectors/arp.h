#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace nodeprobe {

// Entries per device in /proc/net/arp.
using ArpCounts = std::map<std::string, std::uint64_t, std::less<>>;

// Counts one line of /proc/net/arp: "<IP> <HW type> <Flags> <HW address> <Mask> <Device>".
// The header and lines that are not 6 columns starting with an IPv4 address and two hex
// numbers are skipped. Incomplete entries (flags 0x0) count, as in node_exporter.
void count_arp_line(std::string_view line, ArpCounts& counts);

// The whole file at once (tests).
ArpCounts parse_arp(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeprobe {

// Bytes queued in all UDP sockets of /proc/net/udp or udp6, summed.
struct UdpQueueTotals {
  std::uint64_t tx = 0;
  std::uint64_t rx = 0;
};

// Adds one line of /proc/net/udp{,6} to the totals. The header ("  sl  local_address ...") and
// blank lines are accepted and add nothing; a socket line is at least 10 columns with
// "<tx_queue>:<rx_queue>" in hex as the fifth. Returns false for any other line, as
// node_exporter (procfs) then fails the read: a skipped socket would under-report the queues.
bool add_udp_socket_line(std::string_view line, UdpQueueTotals& totals);

// The whole file at once (tests); nullopt if a line is malformed.
std::optional<UdpQueueTotals> parse_udp_queues(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <string_view>
#include <vector>

namespace nodeprobe {

// One counter of /proc/net/{netstat,snmp,snmp6}: protocol "TcpExt", name "ListenDrops". Views
// into the parsed text.
struct NetstatField {
  std::string_view protocol;
  std::string_view name;
  double value;
};

// /proc/net/netstat and /proc/net/snmp: pairs of lines, "Tcp: RtoAlgorithm RtoMin ..." then
// "Tcp: 1 200 ...". A pair whose prefixes or field counts differ is skipped, and pairing
// restarts at the unmatched line, so one damaged line costs only its own protocol. Values that
// are not numbers are skipped.
std::vector<NetstatField> parse_netstat(std::string_view text);

// /proc/net/snmp6: "Ip6InReceives   123" lines; the protocol runs up to and including the first
// '6' ("Ip6", "Icmp6", "UdpLite6"). Lines without a '6' in the name are skipped.
std::vector<NetstatField> parse_snmp6(std::string_view text);

}  // namespace nodeprobe

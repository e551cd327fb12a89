#pragma once

// Parsers for the IP Virtual Server tables (net/netfilter/ipvs/ip_vs_ctl.c): the totals in
// /proc/net/ip_vs_stats and the virtual/real server list in /proc/net/ip_vs. The rules are
// prometheus/procfs's ipvs.go, so a file node_exporter rejects is rejected here too.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

struct IpvsStats {
  std::uint64_t connections = 0;
  std::uint64_t incoming_packets = 0;
  std::uint64_t outgoing_packets = 0;
  std::uint64_t incoming_bytes = 0;
  std::uint64_t outgoing_bytes = 0;
};

// One real server ("->" line) under its virtual service. Addresses as Go's net.IP prints them;
// a firewall-mark service (FWM) has no local address ("") and port 0.
struct IpvsBackend {
  std::string local_address;
  std::uint16_t local_port = 0;
  std::string local_mark;
  std::string proto;
  std::string remote_address;
  std::uint16_t remote_port = 0;
  std::uint64_t weight = 0;
  std::uint64_t active_connections = 0;
  std::uint64_t inactive_connections = 0;
};

// nullopt (with `error`) when the third line is not five hexadecimal totals.
std::optional<IpvsStats> parse_ipvs_stats(std::string_view text, std::string& error);

// nullopt (with `error`) for an address, port or number procfs cannot read.
std::optional<std::vector<IpvsBackend>> parse_ipvs_backends(std::string_view text,
                                                            std::string& error);

}  // namespace nodeprobe

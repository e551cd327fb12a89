#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodeprobe {

// One device's counters keyed as node_exporter keys them before naming the family
// node_network_<key>_total ("receive_bytes", "transmit_carrier_errors", ...).
using NetDevStats = std::map<std::string, std::uint64_t>;

// /proc/net/dev: two header lines, then "  eth0: <8 receive counters> <8 transmit counters>".
// Lines that are not a device followed by exactly 16 counters are skipped.
std::vector<std::pair<std::string, NetDevStats>> parse_proc_net_dev(std::string_view text);

// struct rtnl_link_stats64 (include/uapi/linux/if_link.h) up to rx_nohandler, in its field
// order; fields a shorter (older kernel's) struct lacks stay 0.
inline constexpr std::size_t kLinkStatsFields = 24;
using LinkStats = std::array<std::uint64_t, kLinkStatsFields>;

// The keys node_exporter gives the netlink counters.
NetDevStats netlink_stats(const LinkStats& stats);

// node_exporter's default naming (without --collector.netdev.enable-detailed-metrics): the
// /proc/net/dev column names, with netlink's detailed error counters folded into the columns
// the kernel's /proc/net/dev folds them into (net/core/net-procfs.c, dev_seq_printf_stats).
void apply_legacy_names(NetDevStats& stats);

// One address of --collector.netdev.address-info, as node_network_address_info labels it.
struct InterfaceAddress {
  std::string device;
  std::string address;  // as Go's net.IP.String() spells it
  std::string netmask;  // prefix length, "24"
  std::string scope;    // "global", "link-local", "interface-local" or ""
};

// Go's net.IP scope classes as node_exporter's scope() uses them. `ip` is 4 or 16 bytes.
std::string_view address_scope(const std::vector<std::uint8_t>& ip);

// The prefix length of a netmask, or nullopt when the mask is not contiguous ones then zeros
// (node_exporter skips such addresses: Go's ParseCIDR refuses them).
std::optional<int> prefix_length(const std::vector<std::uint8_t>& mask);

// The host's addresses (getifaddrs), for every device: node_exporter does not filter these.
std::vector<InterfaceAddress> interface_addresses();

}  // namespace nodeprobe

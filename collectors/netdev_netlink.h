#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/netdev.h"

namespace nodeprobe {

// A link from an RTM_NEWLINK message: its name (IFLA_IFNAME) and counters (IFLA_STATS64, or the
// 32-bit IFLA_STATS when a kernel sends only those), and the properties the netclass collector
// reads from it (rtnl_fill_ifinfo() in net/core/rtnetlink.c writes them); an attribute the
// message lacks stays empty.
struct RtnetlinkLink {
  std::string name;
  std::optional<LinkStats> stats;
  // struct ifinfomsg
  std::int32_t index = 0;
  std::uint16_t type = 0;   // ARPHRD_*
  std::uint32_t flags = 0;  // dev_get_flags(): IFF_UP, IFF_DORMANT... (not sysfs's raw flags)
  std::optional<std::uint32_t> mtu, tx_queue_len, group, link;
  std::optional<std::uint8_t> operstate, link_mode, carrier;
  std::optional<std::uint32_t> carrier_changes, carrier_up_count, carrier_down_count;
  std::optional<std::string> address, broadcast;  // raw bytes
  std::optional<std::string> alias;
};

// What one datagram of an RTM_GETLINK dump held.
struct RtnetlinkBatch {
  std::vector<RtnetlinkLink> links;
  bool done = false;       // NLMSG_DONE seen: the dump is complete
  int error = 0;           // a negative errno from NLMSG_ERROR or NLMSG_DONE
  bool malformed = false;  // a message header or attribute ran past the datagram
};

// Parses one received datagram of netlink messages; messages whose sequence number is not `seq`
// are ignored. Never reads outside `datagram`.
RtnetlinkBatch parse_rtnetlink_links(std::string_view datagram, std::uint32_t seq);

// Dumps every link of this process's network namespace over NETLINK_ROUTE, as node_exporter's
// default netdev source does. Throws std::runtime_error with the errno text on failure.
std::vector<RtnetlinkLink> dump_rtnetlink_links();

}  // namespace nodeprobe

// RTM_GETLINK dumps: the source of node_exporter's netdev collector since 1.5
// (--collector.netdev.netlink, on by default). It carries rx_nohandler, which /proc/net/dev lacks.
#include "collectors/netdev_netlink.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace nodeprobe {

namespace {

constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

template <typename T>
T load(std::string_view bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// Reads `count` counters of `width` bytes each (8 for IFLA_STATS64, 4 for IFLA_STATS).
LinkStats load_stats(std::string_view payload, std::size_t width) {
  LinkStats stats{};
  std::size_t count = std::min(payload.size() / width, kLinkStatsFields);
  for (std::size_t i = 0; i < count; ++i) {
    stats[i] =
        width == 8 ? load<std::uint64_t>(payload, i * 8) : load<std::uint32_t>(payload, i * 4);
  }
  return stats;
}

// The attributes after struct ifinfomsg; false when one runs past the message.
bool parse_link(std::string_view attrs, RtnetlinkLink& link) {
  std::optional<LinkStats> stats32;
  while (attrs.size() >= sizeof(rtattr)) {
    auto len = load<std::uint16_t>(attrs, offsetof(rtattr, rta_len));
    auto type = load<std::uint16_t>(attrs, offsetof(rtattr, rta_type));
    if (len < sizeof(rtattr) || len > attrs.size()) return false;
    std::string_view payload = attrs.substr(sizeof(rtattr), len - sizeof(rtattr));
    auto u32 = [&](std::optional<std::uint32_t>& out) {
      if (payload.size() >= 4) out = load<std::uint32_t>(payload, 0);
    };
    auto u8 = [&](std::optional<std::uint8_t>& out) {
      if (!payload.empty()) out = static_cast<std::uint8_t>(payload[0]);
    };
    switch (type & NLA_TYPE_MASK) {
      case IFLA_IFNAME:
        link.name = std::string(payload.substr(0, payload.find('\0')));
        break;
      case IFLA_MTU:
        u32(link.mtu);
        break;
      case IFLA_TXQLEN:
        u32(link.tx_queue_len);
        break;
      case IFLA_GROUP:
        u32(link.group);
        break;
      case IFLA_LINK:
        u32(link.link);
        break;
      case IFLA_OPERSTATE:
        u8(link.operstate);
        break;
      case IFLA_LINKMODE:
        u8(link.link_mode);
        break;
      case IFLA_CARRIER:
        u8(link.carrier);
        break;
      case IFLA_CARRIER_CHANGES:
        u32(link.carrier_changes);
        break;
      case IFLA_CARRIER_UP_COUNT:
        u32(link.carrier_up_count);
        break;
      case IFLA_CARRIER_DOWN_COUNT:
        u32(link.carrier_down_count);
        break;
      case IFLA_ADDRESS:
        link.address = std::string(payload);
        break;
      case IFLA_BROADCAST:
        link.broadcast = std::string(payload);
        break;
      case IFLA_IFALIAS:
        link.alias = std::string(payload.substr(0, payload.find('\0')));
        break;
      case IFLA_STATS64:
        link.stats = load_stats(payload, 8);
        break;
      case IFLA_STATS:
        stats32 = load_stats(payload, 4);
        break;
      default:
        break;
    }
    attrs.remove_prefix(std::min(align4(len), attrs.size()));
  }
  if (!link.stats && stats32) link.stats = stats32;
  return true;
}

}  // namespace

RtnetlinkBatch parse_rtnetlink_links(std::string_view datagram, std::uint32_t seq) {
  RtnetlinkBatch batch;
  while (datagram.size() >= sizeof(nlmsghdr)) {
    auto len = load<std::uint32_t>(datagram, offsetof(nlmsghdr, nlmsg_len));
    auto type = load<std::uint16_t>(datagram, offsetof(nlmsghdr, nlmsg_type));
    auto msg_seq = load<std::uint32_t>(datagram, offsetof(nlmsghdr, nlmsg_seq));
    if (len < sizeof(nlmsghdr) || len > datagram.size()) {
      batch.malformed = true;
      return batch;
    }
    std::string_view payload = datagram.substr(sizeof(nlmsghdr), len - sizeof(nlmsghdr));
    datagram.remove_prefix(std::min<std::size_t>(align4(len), datagram.size()));
    if (msg_seq != seq) continue;
    if (type == NLMSG_DONE || type == NLMSG_ERROR) {
      // Both carry an int: the dump's error for DONE, nlmsgerr.error for ERROR (0 is an ACK).
      int code = payload.size() >= sizeof(int) ? load<int>(payload, 0) : 0;
      if (code < 0) batch.error = code;
      if (type == NLMSG_DONE) batch.done = true;
      if (code < 0 || type == NLMSG_DONE) return batch;
      continue;
    }
    if (type != RTM_NEWLINK) continue;
    if (payload.size() < sizeof(ifinfomsg)) {
      batch.malformed = true;
      return batch;
    }
    RtnetlinkLink link;
    link.index = load<std::int32_t>(payload, offsetof(ifinfomsg, ifi_index));
    link.type = load<std::uint16_t>(payload, offsetof(ifinfomsg, ifi_type));
    link.flags = load<std::uint32_t>(payload, offsetof(ifinfomsg, ifi_flags));
    if (!parse_link(payload.substr(NLMSG_ALIGN(sizeof(ifinfomsg))), link)) {
      batch.malformed = true;
      return batch;
    }
    batch.links.push_back(std::move(link));
  }
  return batch;
}

namespace {

class NetlinkSocket {
 public:
  NetlinkSocket() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
    if (fd_ < 0) fail("netlink socket");
    // The framework's deadline abandons a stuck collector; the timeout frees its thread too.
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~NetlinkSocket() { ::close(fd_); }
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;
  int fd() const { return fd_; }

  [[noreturn]] static void fail(const char* what) {
    throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
  }

 private:
  int fd_;
};

}  // namespace

std::vector<RtnetlinkLink> dump_rtnetlink_links() {
  NetlinkSocket sock;
  static std::atomic<std::uint32_t> next_seq{1};
  const std::uint32_t seq = next_seq++;

  struct {
    nlmsghdr header;
    ifinfomsg link;
  } request{};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = seq;
  request.link.ifi_family = AF_UNSPEC;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(sock.fd(), &request, request.header.nlmsg_len, 0,
               reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    NetlinkSocket::fail("netlink RTM_GETLINK request");
  }

  // The kernel sizes each dump datagram to the reader's buffer, up to 32 KiB or a page.
  std::vector<char> buffer(64 * 1024);
  std::vector<RtnetlinkLink> links;
  while (true) {
    iovec iov{buffer.data(), buffer.size()};
    sockaddr_nl from{};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = ::recvmsg(sock.fd(), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      NetlinkSocket::fail("netlink RTM_GETLINK dump");
    }
    if (msg.msg_flags & MSG_TRUNC) throw std::runtime_error("netlink RTM_GETLINK dump: truncated");
    if (from.nl_pid != 0) continue;  // only the kernel answers a dump
    auto batch =
        parse_rtnetlink_links(std::string_view(buffer.data(), static_cast<std::size_t>(n)), seq);
    if (batch.malformed) throw std::runtime_error("netlink RTM_GETLINK dump: malformed message");
    if (batch.error < 0) {
      throw std::runtime_error(std::string("netlink RTM_GETLINK dump: ") +
                               std::strerror(-batch.error));
    }
    for (auto& link : batch.links) links.push_back(std::move(link));
    if (batch.done) return links;
    if (n == 0) throw std::runtime_error("netlink RTM_GETLINK dump: ended without NLMSG_DONE");
  }
}

}  // namespace nodeprobe

// node_network_<stat>_total{device} from netlink (node_exporter 1.5's default) or /proc/net/dev,
// and node_network_address_info with --collector.netdev.address-info.
#include "collectors/netdev.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/device_filter.h"
#include "collectors/netdev_netlink.h"

namespace nodeprobe {

namespace {

// The /proc/net/dev columns in the kernel's order, under node_exporter's keys.
constexpr const char* kProcNetDevKeys[16] = {
    "receive_bytes",  "receive_packets",  "receive_errors",     "receive_dropped",
    "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errors",    "transmit_dropped",
    "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed",
};

// struct rtnl_link_stats64's fields in order, under node_exporter's keys.
constexpr const char* kNetlinkKeys[kLinkStatsFields] = {
    "receive_packets",
    "transmit_packets",
    "receive_bytes",
    "transmit_bytes",
    "receive_errors",
    "transmit_errors",
    "receive_dropped",
    "transmit_dropped",
    "multicast",
    "collisions",
    "receive_length_errors",
    "receive_over_errors",
    "receive_crc_errors",
    "receive_frame_errors",
    "receive_fifo_errors",
    "receive_missed_errors",
    "transmit_aborted_errors",
    "transmit_carrier_errors",
    "transmit_fifo_errors",
    "transmit_heartbeat_errors",
    "transmit_window_errors",
    "receive_compressed",
    "transmit_compressed",
    "receive_nohandler",
};

bool valid_device_name(std::string_view name) {
  if (name.empty()) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '/' || c == ':' || static_cast<unsigned char>(c) < 0x20;
  });
}

std::optional<std::uint64_t> pop(NetDevStats& stats, const char* key) {
  auto it = stats.find(key);
  if (it == stats.end()) return std::nullopt;
  auto value = it->second;
  stats.erase(it);
  return value;
}

std::uint64_t pop_or_zero(NetDevStats& stats, const char* key) {
  return pop(stats, key).value_or(0);
}

}  // namespace

std::vector<std::pair<std::string, NetDevStats>> parse_proc_net_dev(std::string_view text) {
  std::vector<std::pair<std::string, NetDevStats>> out;
  for_each_line(text, [&](std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || line.find('|') != std::string_view::npos) return;
    std::string_view device = trim(line.substr(0, colon));
    if (!valid_device_name(device)) return;
    auto fields = split_fields(line.substr(colon + 1));
    if (fields.size() != 16) return;
    NetDevStats stats;
    for (std::size_t i = 0; i < 16; ++i) {
      auto v = parse_uint(fields[i]);
      if (!v) return;
      stats.emplace(kProcNetDevKeys[i], *v);
    }
    out.emplace_back(std::string(device), std::move(stats));
  });
  return out;
}

NetDevStats netlink_stats(const LinkStats& stats) {
  NetDevStats out;
  for (std::size_t i = 0; i < kLinkStatsFields; ++i) out.emplace(kNetlinkKeys[i], stats[i]);
  return out;
}

void apply_legacy_names(NetDevStats& s) {
  if (auto v = pop(s, "receive_errors")) s["receive_errs"] = *v;
  if (auto v = pop(s, "receive_dropped")) {
    s["receive_drop"] = *v + pop_or_zero(s, "receive_missed_errors");
  }
  if (auto v = pop(s, "receive_fifo_errors")) s["receive_fifo"] = *v;
  if (auto v = pop(s, "receive_frame_errors")) {
    s["receive_frame"] = *v + pop_or_zero(s, "receive_length_errors") +
                         pop_or_zero(s, "receive_over_errors") +
                         pop_or_zero(s, "receive_crc_errors");
  }
  if (auto v = pop(s, "multicast")) s["receive_multicast"] = *v;
  if (auto v = pop(s, "transmit_errors")) s["transmit_errs"] = *v;
  if (auto v = pop(s, "transmit_dropped")) s["transmit_drop"] = *v;
  if (auto v = pop(s, "transmit_fifo_errors")) s["transmit_fifo"] = *v;
  if (auto v = pop(s, "collisions")) s["transmit_colls"] = *v;
  if (auto v = pop(s, "transmit_carrier_errors")) {
    s["transmit_carrier"] = *v + pop_or_zero(s, "transmit_aborted_errors") +
                            pop_or_zero(s, "transmit_heartbeat_errors") +
                            pop_or_zero(s, "transmit_window_errors");
  }
}

std::string_view address_scope(const std::vector<std::uint8_t>& ip) {
  std::vector<std::uint8_t> v4;
  if (ip.size() == 4) {
    v4 = ip;
  } else if (ip.size() == 16 &&
             std::all_of(ip.begin(), ip.begin() + 10, [](auto b) { return b == 0; }) &&
             ip[10] == 0xff && ip[11] == 0xff) {
    v4.assign(ip.begin() + 12, ip.end());  // IPv4-mapped: Go treats it as IPv4
  }
  if (!v4.empty()) {
    bool loopback = v4[0] == 127;
    bool link_local_unicast = v4[0] == 169 && v4[1] == 254;
    bool link_local_multicast = v4[0] == 224 && v4[1] == 0 && v4[2] == 0;
    if (loopback || link_local_unicast || link_local_multicast) return "link-local";
    bool multicast = (v4[0] & 0xf0) == 0xe0;
    bool broadcast = v4[0] == 255 && v4[1] == 255 && v4[2] == 255 && v4[3] == 255;
    bool unspecified = v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && v4[3] == 0;
    if (!multicast && !broadcast && !unspecified) return "global";
    return "";
  }
  if (ip.size() != 16) return "";
  bool zero_prefix = std::all_of(ip.begin(), ip.begin() + 15, [](auto b) { return b == 0; });
  bool loopback = zero_prefix && ip[15] == 1;
  bool unspecified = zero_prefix && ip[15] == 0;
  bool link_local_unicast = ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
  bool multicast = ip[0] == 0xff;
  if (loopback || link_local_unicast || (multicast && (ip[1] & 0x0f) == 0x02)) {
    return "link-local";
  }
  if (multicast && (ip[1] & 0x0f) == 0x01) return "interface-local";
  if (!multicast && !unspecified) return "global";
  return "";
}

std::optional<int> prefix_length(const std::vector<std::uint8_t>& mask) {
  int bits = 0;
  bool zeros = false;
  for (std::uint8_t byte : mask) {
    for (int bit = 7; bit >= 0; --bit) {
      bool one = (byte >> bit) & 1;
      if (one && zeros) return std::nullopt;
      if (one)
        ++bits;
      else
        zeros = true;
    }
  }
  return bits;
}

std::vector<InterfaceAddress> interface_addresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) throw std::runtime_error("getifaddrs failed");
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, &::freeifaddrs);
  std::vector<InterfaceAddress> out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_netmask == nullptr) continue;
    std::vector<std::uint8_t> ip, mask;
    char text[INET6_ADDRSTRLEN] = {};
    if (a->ifa_addr->sa_family == AF_INET) {
      const auto* addr = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      const auto* netmask = reinterpret_cast<const sockaddr_in*>(a->ifa_netmask);
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(&addr->sin_addr);
      const auto* mask_bytes = reinterpret_cast<const std::uint8_t*>(&netmask->sin_addr);
      ip.assign(bytes, bytes + 4);
      mask.assign(mask_bytes, mask_bytes + 4);
      ::inet_ntop(AF_INET, &addr->sin_addr, text, sizeof(text));
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* addr = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      const auto* netmask = reinterpret_cast<const sockaddr_in6*>(a->ifa_netmask);
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(&addr->sin6_addr);
      const auto* mask_bytes = reinterpret_cast<const std::uint8_t*>(&netmask->sin6_addr);
      ip.assign(bytes, bytes + 16);
      mask.assign(mask_bytes, mask_bytes + 16);
      if (IN6_IS_ADDR_V4MAPPED(&addr->sin6_addr)) {
        ::inet_ntop(AF_INET, bytes + 12, text, sizeof(text));  // Go prints these dotted
      } else {
        ::inet_ntop(AF_INET6, &addr->sin6_addr, text, sizeof(text));
      }
    } else {
      continue;
    }
    auto bits = prefix_length(mask);
    if (!bits) continue;
    out.push_back({a->ifa_name, text, std::to_string(*bits), std::string(address_scope(ip))});
  }
  return out;
}

namespace {

// Debian's node_exporter 1.5 package defaults device-exclude to ^lo$ (upstream has no
// default); nodeprobe follows the package it replaces.
constexpr const char* kDefaultDeviceExclude = "^lo$";

class NetdevCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    include_flag_ = b.flag_name("device-include");
    exclude_flag_ = b.flag_name("device-exclude");
    b.option("device-include", include_,
             "Regexp of net devices to include (mutually exclusive to device-exclude).");
    b.option("device-exclude", exclude_,
             "Regexp of net devices to exclude (mutually exclusive to device-include).");
    b.flag("address-info", address_info_, "Collect address-info for every device");
    b.flag("enable-detailed-metrics", detailed_,
           "Use (incompatible) metric names that provide more detailed stats on Linux");
    b.flag("netlink", netlink_, "Use netlink to gather stats instead of /proc/net/dev.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    // Debian's binary refuses an include pattern unless the default exclude is cleared by hand;
    // an include alone is what the user means, so the default gives way.
    filter_ = make_device_filter(
        {exclude_, kDefaultDeviceExclude, {}, include_, exclude_flag_, include_flag_, {}});
  }

  void collect(MetricSink& sink) override {
    for (auto& [device, stats] : netlink_ ? from_netlink() : from_proc()) {
      if (!detailed_) apply_legacy_names(stats);
      for (const auto& [key, value] : stats) {
        sink.counter("node_network_" + key + "_total", "Network device statistic " + key + ".",
                     static_cast<double>(value), {{"device", device}});
      }
    }
    if (address_info_) {
      for (const auto& a : interface_addresses()) {
        sink.gauge("node_network_address_info", "node network address by device", 1,
                   {{"device", a.device},
                    {"address", a.address},
                    {"netmask", a.netmask},
                    {"scope", a.scope}});
      }
    }
  }

 private:
  std::vector<std::pair<std::string, NetDevStats>> from_proc() const {
    auto path = paths_.proc("net/dev");
    auto devices = parse_proc_net_dev(read_file(path));
    if (devices.empty()) throw std::runtime_error(path + ": no devices found");
    std::erase_if(devices, [&](const auto& d) { return filter_.ignored(d.first); });
    return devices;
  }

  std::vector<std::pair<std::string, NetDevStats>> from_netlink() const {
    std::vector<std::pair<std::string, NetDevStats>> devices;
    for (const auto& link : dump_rtnetlink_links()) {
      // A link without counters (node_exporter skips those too) or without a usable name.
      if (!link.stats || !valid_device_name(link.name) || filter_.ignored(link.name)) continue;
      devices.emplace_back(link.name, netlink_stats(*link.stats));
    }
    return devices;
  }

  std::string include_;
  std::string exclude_ = kDefaultDeviceExclude;
  bool address_info_ = false;
  bool detailed_ = false;
  bool netlink_ = true;
  std::string include_flag_, exclude_flag_;
  DeviceFilter filter_;
};

}  // namespace

std::unique_ptr<Collector> make_netdev_collector() { return std::make_unique<NetdevCollector>(); }

}  // namespace nodeprobe

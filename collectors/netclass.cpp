// node_network_* device properties from /sys/class/net/<iface>/ attributes.
#include "collectors/netclass.h"

#include <fcntl.h>
#include <linux/if.h>
#include <re2/re2.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <vector>

#include "agent/collector.h"
#include "agent/logging.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/netdev_netlink.h"

namespace nodeprobe {

std::optional<std::int64_t> parse_netclass_value(std::string_view text) {
  std::string_view s = trim(text);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  constexpr std::uint64_t kMaxPositive = 0x7fffffffffffffffULL;
  if (magnitude > kMaxPositive + (negative ? 1 : 0)) return std::nullopt;
  if (negative) return static_cast<std::int64_t>(0 - magnitude);
  return static_cast<std::int64_t>(magnitude);
}

namespace {

using Value = std::optional<std::int64_t>;

template <typename T>
Value value(const std::optional<T>& v) {
  return v ? Value(static_cast<std::int64_t>(*v)) : std::nullopt;
}

// What sysfs would show for a device that is up: carrier and dormant are EINVAL when it is down
// (net/core/net-sysfs.c checks netif_running()).
Value when_up(const RtnetlinkLink& l, Value v) { return (l.flags & IFF_UP) ? v : std::nullopt; }

struct NumericAttribute {
  const char* file;
  const char* family;  // node_network_<family>
  bool counter;
  // The same value from the device's RTM_NEWLINK message; nullptr where rtnetlink does not carry
  // it as sysfs shows it (flags: sysfs shows dev->flags, rtnetlink dev_get_flags()).
  Value (*from_link)(const RtnetlinkLink&);
};

// The attributes node_exporter 1.5 reports, under its names.
constexpr NumericAttribute kNumericAttributes[] = {
    {"addr_assign_type", "address_assign_type", false, nullptr},
    {"carrier", "carrier", false,
     [](const RtnetlinkLink& l) { return when_up(l, value(l.carrier)); }},
    {"carrier_changes", "carrier_changes_total", true,
     [](const RtnetlinkLink& l) { return value(l.carrier_changes); }},
    {"carrier_up_count", "carrier_up_changes_total", true,
     [](const RtnetlinkLink& l) { return value(l.carrier_up_count); }},
    {"carrier_down_count", "carrier_down_changes_total", true,
     [](const RtnetlinkLink& l) { return value(l.carrier_down_count); }},
    {"dev_id", "device_id", false, nullptr},
    {"dormant", "dormant", false,
     [](const RtnetlinkLink& l) { return when_up(l, Value((l.flags & IFF_DORMANT) ? 1 : 0)); }},
    {"flags", "flags", false, nullptr},
    {"ifindex", "iface_id", false, [](const RtnetlinkLink& l) { return Value(l.index); }},
    // IFLA_LINK is left out when it equals the device's own index.
    {"iflink", "iface_link", false,
     [](const RtnetlinkLink& l) { return Value(l.link ? *l.link : l.index); }},
    {"link_mode", "iface_link_mode", false,
     [](const RtnetlinkLink& l) { return value(l.link_mode); }},
    {"mtu", "mtu_bytes", false, [](const RtnetlinkLink& l) { return value(l.mtu); }},
    {"name_assign_type", "name_assign_type", false, nullptr},
    {"netdev_group", "net_dev_group", false, [](const RtnetlinkLink& l) { return value(l.group); }},
    {"tx_queue_len", "transmit_queue_length", false,
     [](const RtnetlinkLink& l) { return value(l.tx_queue_len); }},
    {"type", "protocol_type", false, [](const RtnetlinkLink& l) { return Value(l.type); }},
};

// sysfs's spelling of a hardware address (sysfs_format_mac): lower-case hex bytes and colons.
std::string format_hardware_address(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out.push_back(':');
    out += {kHex[c >> 4], kHex[c & 15]};
  }
  return out;
}

// operstate as sysfs names IF_OPER_* (net/core/net-sysfs.c).
std::string operstate_name(std::optional<std::uint8_t> state) {
  static constexpr const char* kNames[] = {"unknown", "notpresent", "down", "lowerlayerdown",
                                           "testing", "dormant",    "up"};
  if (!state || *state >= std::size(kNames)) return "unknown";
  return kNames[*state];
}

// sysfs attributes are one short value; procfs's reader takes 128 bytes of them.
constexpr std::size_t kAttributeCap = 4096;

// A device's directory, its attributes opened relative to it: a path walk of one component
// instead of five for each of ~25 attributes, and one read each (sysfs hands an attribute over
// in one read; a regular file of a fixture tree too). This halves the collector's system calls.
class DeviceDir {
 public:
  explicit DeviceDir(std::string path)
      : path_(std::move(path)), fd_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0) open_errno_ = errno;
  }
  ~DeviceDir() {
    if (fd_ >= 0) ::close(fd_);
  }
  DeviceDir(const DeviceDir&) = delete;
  DeviceDir& operator=(const DeviceDir&) = delete;

  std::string path_of(const char* name) const { return HostPaths::join(path_, name); }

  // The attribute's bytes; false with the errno in `err` (EFBIG past kAttributeCap).
  bool read(const char* name, std::string& out, int& err) const {
    if (fd_ < 0) {
      err = open_errno_;
      return false;
    }
    int fd = ::openat(fd_, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      err = errno;
      return false;
    }
    out.resize(kAttributeCap + 1);
    ssize_t n;
    do {
      n = ::read(fd, out.data(), out.size());
    } while (n < 0 && errno == EINTR);
    err = n < 0 ? errno : 0;
    ::close(fd);
    if (n < 0) return false;
    if (static_cast<std::size_t>(n) > kAttributeCap) {
      err = EFBIG;
      return false;
    }
    out.resize(static_cast<std::size_t>(n));
    return true;
  }

 private:
  std::string path_;
  int fd_;
  int open_errno_ = 0;
};

class NetclassCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    ignored_flag_ = b.flag_name("ignored-devices");
    b.option("ignored-devices", ignored_devices_,
             "Regexp of net devices to ignore for netclass collector.");
    b.flag("ignore-invalid-speed", ignore_invalid_speed_,
           "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.");
    b.flag("netlink", netlink_,
           "Take the attributes rtnetlink carries from one RTM_GETLINK dump instead of a sysfs "
           "file each, when the dump shows the same devices as the sysfs (same names, indexes "
           "and addresses).");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    ignored_ = std::make_unique<RE2>(ignored_devices_, RE2::Quiet);
    if (!ignored_->ok()) throw ConfigError(ignored_flag_, "invalid regex: " + ignored_->error());
  }

  void collect(MetricSink& sink) override {
    auto class_dir = paths_.sys("class/net");
    auto names = list_devices(class_dir);
    std::vector<Device> devices;
    devices.reserve(names.size());
    for (const auto& name : names) {
      if (RE2::PartialMatch(name, *ignored_)) continue;
      devices.push_back({name, std::make_unique<DeviceDir>(HostPaths::join(class_dir, name))});
    }
    if (netlink_) match_links(names, devices);
    for (const auto& d : devices) collect_device(sink, d);
  }

 private:
  struct Device {
    std::string name;
    std::unique_ptr<DeviceDir> dir;
    std::optional<RtnetlinkLink> link;   // the same device's RTM_NEWLINK message
    std::optional<std::string> address;  // read from sysfs to match the link
  };

  // Gives each device its rtnetlink message when the dump describes the devices of this sysfs:
  // the same names, and for each device the same index and hardware address. rtnetlink answers
  // for the agent's own network namespace, sysfs for the one it was mounted in (--path.sysfs
  // may be another's, or a fixture tree); a pod's eth0 is not the host's eth0.
  void match_links(const std::vector<std::string>& names, std::vector<Device>& devices) const {
    std::vector<RtnetlinkLink> links;
    try {
      links = dump_rtnetlink_links();
    } catch (const std::exception& e) {
      log::debug("netclass reads sysfs only: no rtnetlink dump",
                 {{"collector", "netclass"}, {"err", e.what()}});
      return;
    }
    if (links.size() != names.size()) return;
    std::unordered_map<std::string_view, const RtnetlinkLink*> by_name;
    for (const auto& l : links) by_name.emplace(l.name, &l);
    for (const auto& name : names) {
      if (!by_name.contains(name)) return;
    }
    for (auto& d : devices) {
      const RtnetlinkLink* l = by_name.at(d.name);
      d.address = read_attribute(*d.dir, "address");
      auto index = read_number(*d.dir, "ifindex");
      if (!index || *index != l->index ||
          d.address.value_or("") != format_hardware_address(l->address.value_or(""))) {
        for (auto& other : devices) other.link.reset();
        return;
      }
      d.link = *l;
    }
  }

  // Subdirectories and links of /sys/class/net; regular files there (bonding_masters) are not
  // devices.
  static std::vector<std::string> list_devices(const std::string& class_dir) {
    std::error_code ec;
    std::filesystem::directory_iterator it(class_dir, ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory || ec == std::errc::permission_denied ||
          ec == std::errc::not_a_directory) {
        throw FeatureAbsent(class_dir + ": " + ec.message());
      }
      throw FileError(class_dir, ec.value());
    }
    std::vector<std::string> devices;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (ec) throw FileError(class_dir, ec.value());
      std::error_code status_ec;
      auto status = it->symlink_status(status_ec);
      if (!status_ec && std::filesystem::is_regular_file(status)) continue;
      devices.push_back(it->path().filename().string());
    }
    if (ec) throw FileError(class_dir, ec.value());
    return devices;
  }

  // The attribute's trimmed text, or nullopt where node_exporter skips it: absent, not readable,
  // or refused by the driver (EINVAL for speed and duplex of a link that is down, EOPNOTSUPP).
  static std::optional<std::string> read_attribute(const DeviceDir& dir, const char* name) {
    std::string text;
    int err = 0;
    if (!dir.read(name, text, err)) {
      if (err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM || err == EINVAL ||
          err == EOPNOTSUPP || err == ENODEV) {
        return std::nullopt;
      }
      if (err == EFBIG) {
        throw FileError(dir.path_of(name),
                        "larger than " + std::to_string(kAttributeCap) + " bytes");
      }
      throw FileError(dir.path_of(name), err);
    }
    return std::string(trim(text));
  }

  // A file's content for an error message: printable ASCII, the rest as \xHH, cut at 40 bytes.
  static std::string quoted(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : text.substr(0, 40)) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out.push_back(static_cast<char>(c));
      } else {
        out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      }
    }
    return out + (text.size() > 40 ? "\"..." : "\"");
  }

  static std::optional<std::int64_t> read_number(const DeviceDir& dir, const char* name) {
    auto text = read_attribute(dir, name);
    if (!text) return std::nullopt;
    auto value = parse_netclass_value(*text);
    // node_exporter fails the collector on an unparsable attribute; so does nodeprobe, naming
    // the file, rather than report the device with a property silently missing.
    if (!value) throw FileError(dir.path_of(name), "not an integer: " + quoted(*text));
    return value;
  }

  void collect_device(MetricSink& sink, const Device& d) {
    const DeviceDir& dir = *d.dir;
    const std::string& device = d.name;
    const RtnetlinkLink* link = d.link ? &*d.link : nullptr;
    std::string operstate = link != nullptr ? operstate_name(link->operstate)
                                            : read_attribute(dir, "operstate").value_or("");
    auto address = d.address ? d.address : read_attribute(dir, "address");
    auto broadcast = link != nullptr ? format_hardware_address(link->broadcast.value_or(""))
                                     : read_attribute(dir, "broadcast").value_or("");
    auto alias = link != nullptr ? std::string(trim(link->alias.value_or("")))
                                 : read_attribute(dir, "ifalias").value_or("");
    sink.gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.",
               operstate == "up" ? 1 : 0, {{"device", device}});
    sink.gauge("node_network_info",
               "Non-numeric data from /sys/class/net/<iface>, value is always 1.", 1,
               {{"device", device},
                {"address", address.value_or("")},
                {"broadcast", broadcast},
                {"duplex", read_attribute(dir, "duplex").value_or("")},
                {"operstate", operstate},
                {"ifalias", alias}});
    for (const auto& a : kNumericAttributes) {
      auto value =
          link != nullptr && a.from_link != nullptr ? a.from_link(*link) : read_number(dir, a.file);
      if (!value) continue;
      name_.assign("node_network_").append(a.family);
      help_.assign("Network device property: ").append(a.family);
      sink.add(name_, help_, a.counter ? MetricType::Counter : MetricType::Gauge,
               static_cast<double>(*value), {{"device", device}});
    }
    // Mb/s in the file; -1 (SPEED_UNKNOWN) for a link that reports no speed.
    if (auto speed = read_number(dir, "speed")) {
      if (*speed >= 0 || !ignore_invalid_speed_) {
        sink.gauge("node_network_speed_bytes", "Network device property: speed_bytes",
                   static_cast<double>(*speed) * 125000.0, {{"device", device}});
      }
    }
  }

  std::string ignored_devices_ = "^$";
  bool ignore_invalid_speed_ = false;
  bool netlink_ = true;
  std::string ignored_flag_;
  std::unique_ptr<RE2> ignored_;
  std::string name_, help_;  // kept across devices and scrapes: no allocation per sample
};

}  // namespace

std::unique_ptr<Collector> make_netclass_collector() {
  return std::make_unique<NetclassCollector>();
}

}  // namespace nodeprobe

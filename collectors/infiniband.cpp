// node_infiniband_* from /sys/class/infiniband/<device>/ports/<port>/.
#include "collectors/infiniband.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/go_uint.h"

namespace nodeprobe {

std::optional<InfinibandState> parse_infiniband_state(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto id = parse_uint(trim(text.substr(0, colon)));
  if (!id || *id > UINT32_MAX) return std::nullopt;
  return InfinibandState{static_cast<std::uint32_t>(*id),
                         std::string(trim(text.substr(colon + 1)))};
}

std::optional<std::uint64_t> parse_infiniband_rate(std::string_view text) {
  auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto number = trim(text.substr(0, space));
  float gbits = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), gbits);
  if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() ||
      !std::isfinite(gbits) || gbits < 0) {
    return std::nullopt;
  }
  double bytes = static_cast<double>(gbits) * 125000000;  // Gb/s to bytes/s
  if (bytes >= 18446744073709551616.0) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

namespace {

struct Counter {
  const char* file;
  const char* metric;  // node_infiniband_<metric>
  const char* help;
  bool per_lane;  // Mellanox data counters count 32-bit words: procfs multiplies them by 4
};

// counters/ (since 2.6.12), then counters_ext/ (64-bit counters before Linux 4.5).
constexpr Counter kCounters[] = {
    {"excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total",
     "Number of times that OverrunErrors consecutive flow control update periods occurred, each "
     "having at least one overrun error.",
     false},
    {"link_downed", "link_downed_total",
     "Number of times the link failed to recover from an error state and went down", false},
    {"link_error_recovery", "link_error_recovery_total",
     "Number of times the link successfully recovered from an error state", false},
    {"local_link_integrity_errors", "local_link_integrity_errors_total",
     "Number of times that the count of local physical errors exceeded the threshold specified by "
     "LocalPhyErrors.",
     false},
    {"multicast_rcv_packets", "multicast_packets_received_total",
     "Number of multicast packets received (including errors)", false},
    {"multicast_xmit_packets", "multicast_packets_transmitted_total",
     "Number of multicast packets transmitted (including errors)", false},
    {"port_rcv_constraint_errors", "port_constraint_errors_received_total",
     "Number of packets received on the switch physical port that are discarded", false},
    {"port_rcv_data", "port_data_received_bytes_total",
     "Number of data octets received on all links", true},
    {"port_rcv_discards", "port_discards_received_total",
     "Number of inbound packets discarded by the port because the port is down or congested",
     false},
    {"port_rcv_errors", "port_errors_received_total",
     "Number of packets containing an error that were received on this port", false},
    {"port_rcv_packets", "port_packets_received_total",
     "Number of packets received on all VLs by this port (including errors)", false},
    {"port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total",
     "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.",
     false},
    {"port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total",
     "Number of packets that could not be forwarded by the switch.", false},
    {"port_xmit_constraint_errors", "port_constraint_errors_transmitted_total",
     "Number of packets not transmitted from the switch physical port", false},
    {"port_xmit_data", "port_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links", true},
    {"port_xmit_discards", "port_discards_transmitted_total",
     "Number of outbound packets discarded by the port because the port is down or congested",
     false},
    {"port_xmit_packets", "port_packets_transmitted_total",
     "Number of packets transmitted on all VLs from this port (including errors)", false},
    {"port_xmit_wait", "port_transmit_wait_total",
     "Number of ticks during which the port had data to transmit but no data was sent during the "
     "entire tick",
     false},
    {"symbol_error", "symbol_error_total",
     "Number of minor link errors detected on one or more physical lanes.", false},
    {"unicast_rcv_packets", "unicast_packets_received_total",
     "Number of unicast packets received (including errors)", false},
    {"unicast_xmit_packets", "unicast_packets_transmitted_total",
     "Number of unicast packets transmitted (including errors)", false},
    {"VL15_dropped", "vl15_dropped_total",
     "Number of incoming VL15 packets dropped due to resource limitations.", false},
};

constexpr Counter kLegacyCounters[] = {
    {"port_multicast_rcv_packets", "legacy_multicast_packets_received_total",
     "Number of multicast packets received", false},
    {"port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total",
     "Number of multicast packets transmitted", false},
    {"port_rcv_data_64", "legacy_data_received_bytes_total",
     "Number of data octets received on all links", true},
    {"port_rcv_packets_64", "legacy_packets_received_total",
     "Number of data packets received on all links", false},
    {"port_unicast_rcv_packets", "legacy_unicast_packets_received_total",
     "Number of unicast packets received", false},
    {"port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total",
     "Number of unicast packets transmitted", false},
    {"port_xmit_data_64", "legacy_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links", true},
    // node_exporter's HELP text says "received" for this transmit counter.
    {"port_xmit_packets_64", "legacy_packets_transmitted_total",
     "Number of data packets received on all links", false},
};

// node_exporter answers ErrNoData when procfs meets any missing file or directory it needs.
[[noreturn]] void fail(const std::string& path, int err) {
  if (err == ENOENT) throw FeatureAbsent(path + ": not found");
  throw FileError(path, err);
}

std::string required(const std::string& path) {
  int err = 0;
  auto text = read_attribute(path, err);
  if (!text) fail(path, err);
  return *text;
}

std::vector<std::string> entries(const std::string& dir) {
  int err = 0;
  auto list = list_directory(dir, err);
  if (!list) fail(dir, err);
  return *list;
}

class InfinibandCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/infiniband");
    for (const auto& device : entries(base)) {
      auto dir = base + "/" + device;
      Labels info = {{"device", device}, {"firmware_version", required(dir + "/fw_ver")}};
      for (const char* optional : {"board_id", "hca_type"}) {
        int err = 0;
        auto text = read_attribute(dir + "/" + optional, err);
        if (!text && err != ENOENT) throw FileError(dir + "/" + optional, err);
        info.push_back({optional, text.value_or("")});
      }
      sink.gauge("node_infiniband_info",
                 "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.", 1,
                 std::move(info));
      for (const auto& port : entries(dir + "/ports")) {
        collect_port(sink, device, port, dir + "/ports/" + port);
      }
    }
  }

 private:
  static void collect_port(MetricSink& sink, const std::string& device, const std::string& port,
                           const std::string& dir) {
    auto number = parse_uint(port);
    if (!number || *number > UINT32_MAX) {
      throw std::runtime_error(dir + ": port is not a number");
    }
    Labels labels = {{"device", device}, {"port", std::to_string(*number)}};
    auto state = parse_infiniband_state(required(dir + "/state"));
    if (!state) throw std::runtime_error(dir + "/state: not \"<id>: <name>\"");
    auto phys = parse_infiniband_state(required(dir + "/phys_state"));
    if (!phys) throw std::runtime_error(dir + "/phys_state: not \"<id>: <name>\"");
    auto rate = parse_infiniband_rate(required(dir + "/rate"));
    if (!rate) throw std::runtime_error(dir + "/rate: not \"<number> Gb/sec\"");
    sink.gauge("node_infiniband_state_id",
               "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: "
               "active, 5: act defer)",
               state->id, labels);
    sink.gauge("node_infiniband_physical_state_id",
               "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: "
               "disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
               phys->id, labels);
    sink.gauge("node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate",
               static_cast<double>(*rate), labels);
    // Intel's irdma and NVIDIA's nvs_ devices have no counters directory (procfs).
    if (device.starts_with("irdma") || device.starts_with("nvs_")) return;
    counters(sink, dir + "/counters", kCounters, labels, true);
    counters(sink, dir + "/counters_ext", kLegacyCounters, labels, false);
  }

  template <std::size_t N>
  static void counters(MetricSink& sink, const std::string& dir, const Counter (&known)[N],
                       const Labels& labels, bool required_dir) {
    int err = 0;
    auto files = list_directory(dir, err);
    if (!files) {
      if (!required_dir && err == ENOENT) return;
      fail(dir, err);
    }
    for (const auto& c : known) {
      auto path = dir + "/" + c.file;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      auto text = read_attribute(path, err);
      if (!text) {
        // Counters a driver cannot read (no PMA, no permission) are left out.
        if (err == ENOENT || err == EACCES || err == EPERM || err == EOPNOTSUPP || err == EINVAL)
          continue;
        throw FileError(path, err);
      }
      auto v = parse_go_uint(*text);
      if (!v) {
        // Old mlx4 kernels print "N/A (no PMA)" (node_exporter issue #966).
        if (text->find("N/A (no PMA)") != std::string::npos) continue;
        throw std::runtime_error(path + ": not a counter");
      }
      sink.counter(std::string("node_infiniband_") + c.metric, c.help,
                   static_cast<double>(c.per_lane ? *v * 4 : *v), labels);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_infiniband_collector() {
  return std::make_unique<InfinibandCollector>();
}

}  // namespace nodeprobe

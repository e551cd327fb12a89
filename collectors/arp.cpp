// node_arp_entries{device}: the neighbour table's IPv4 entries per device, from /proc/net/arp.
#include "collectors/arp.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/device_filter.h"
#include "collectors/line_reader.h"

namespace nodeprobe {

namespace {

bool is_ipv4(std::string_view s) {
  if (s.size() > 15) return false;
  in_addr addr{};
  return ::inet_pton(AF_INET, std::string(s).c_str(), &addr) == 1;
}

bool is_hex_number(std::string_view s) {
  if (s.size() < 3 || !s.starts_with("0x")) return false;
  return std::all_of(s.begin() + 2, s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

void count_arp_line(std::string_view line, ArpCounts& counts) {
  auto fields = split_fields(line);
  if (fields.size() != 6 || !is_ipv4(fields[0]) || !is_hex_number(fields[1]) ||
      !is_hex_number(fields[2])) {
    return;
  }
  auto it = counts.find(fields[5]);
  if (it == counts.end()) {
    counts.emplace(std::string(fields[5]), 1);
  } else {
    ++it->second;
  }
}

ArpCounts parse_arp(std::string_view text) {
  ArpCounts counts;
  for_each_line(text, [&](std::string_view line) { count_arp_line(line, counts); });
  return counts;
}

namespace {

class ArpCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    include_flag_ = b.flag_name("device-include");
    exclude_flag_ = b.flag_name("device-exclude");
    b.option("device-include", include_,
             "Regexp of arp devices to include (mutually exclusive to device-exclude).");
    b.option("device-exclude", exclude_,
             "Regexp of arp devices to exclude (mutually exclusive to device-include).");
  }

  // Unlike netdev, node_exporter 1.5 does not refuse both patterns for arp: both apply.
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    filter_ = DeviceFilter(exclude_, exclude_flag_, include_, include_flag_);
  }

  void collect(MetricSink& sink) override {
    ArpCounts counts;
    // The table holds up to net.ipv4.neigh.default.gc_thresh3 entries, large on big hosts.
    for_each_file_line(paths_.proc("net/arp"),
                       [&](std::string_view line) { count_arp_line(line, counts); });
    for (const auto& [device, count] : counts) {
      if (filter_.ignored(device)) continue;
      sink.gauge("node_arp_entries", "ARP entries by device", static_cast<double>(count),
                 {{"device", device}});
    }
  }

 private:
  std::string include_, exclude_;
  std::string include_flag_, exclude_flag_;
  DeviceFilter filter_;
};

}  // namespace

std::unique_ptr<Collector> make_arp_collector() { return std::make_unique<ArpCollector>(); }

}  // namespace nodeprobe

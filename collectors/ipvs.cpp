// node_ipvs_* from /proc/net/ip_vs_stats and /proc/net/ip_vs.
#include "collectors/ipvs.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

std::string format_ipv4(const unsigned char* b) {
  char out[16];
  std::snprintf(out, sizeof out, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return out;
}

// Go's net.IP.String() for 16 bytes: an IPv4-mapped address in dotted form, otherwise RFC 5952
// (lower-case hex, the first longest run of two or more zero groups as "::").
std::string format_ipv6(const unsigned char* b) {
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(b, b + 12, kMapped)) return format_ipv4(b + 12);
  unsigned groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = (b[2 * i] << 8) | b[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char hex[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(hex, sizeof hex, "%x", groups[i]);
    out += hex;
  }
  return out;
}

// "0A000001:0050" or "[2001:0db8:0000:0000:0000:0000:0000:0001]:0050", by length as procfs
// tells them apart.
bool parse_address_port(std::string_view s, std::string& address, std::uint16_t& port) {
  if (s.size() == 13) {
    auto v = parse_hex(s.substr(0, 8));
    if (!v || s.substr(0, 8).find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
      return false;
    unsigned char b[4] = {static_cast<unsigned char>(*v >> 24),
                          static_cast<unsigned char>(*v >> 16), static_cast<unsigned char>(*v >> 8),
                          static_cast<unsigned char>(*v)};
    address = format_ipv4(b);
  } else if (s.size() == 46) {
    std::string text(s.substr(1, 39));
    unsigned char b[16];
    if (inet_pton(AF_INET6, text.c_str(), b) != 1) return false;
    address = format_ipv6(b);
  } else {
    return false;
  }
  auto p = parse_hex(s.substr(s.size() - 4));
  if (!p || *p > 0xffff) return false;
  port = static_cast<std::uint16_t>(*p);
  return true;
}

}  // namespace

std::optional<IpvsStats> parse_ipvs_stats(std::string_view text, std::string& error) {
  // procfs splits into four pieces at the first three newlines and reads the third line.
  std::vector<std::string_view> lines;
  for (int i = 0; i < 3; ++i) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) {
      error = "ip_vs_stats corrupt: too short";
      return std::nullopt;
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  auto fields = split_fields(lines[2]);
  if (fields.size() != 5) {
    error = "ip_vs_stats corrupt: unexpected number of fields";
    return std::nullopt;
  }
  std::uint64_t v[5];
  for (int i = 0; i < 5; ++i) {
    auto n = parse_hex(fields[i]);
    if (!n) {
      error = "ip_vs_stats: invalid number \"" + std::string(fields[i].substr(0, 32)) + "\"";
      return std::nullopt;
    }
    v[i] = *n;
  }
  return IpvsStats{v[0], v[1], v[2], v[3], v[4]};
}

std::optional<std::vector<IpvsBackend>> parse_ipvs_backends(std::string_view text,
                                                            std::string& error) {
  std::vector<IpvsBackend> backends;
  IpvsBackend service;  // the current virtual service's fields
  bool ok = true;
  for_each_line(text, [&](std::string_view line) {
    auto f = split_fields(line);
    if (!ok || f.empty() || f[0] == "IP" || f[0] == "Prot") return;
    if (f.size() < 2 || f[1] == "RemoteAddress:Port") return;
    if (f[0] == "TCP" || f[0] == "UDP") {
      service.proto = std::string(f[0]);
      service.local_mark.clear();
      if (!parse_address_port(f[1], service.local_address, service.local_port)) {
        error = "invalid IP:Port \"" + std::string(f[1].substr(0, 64)) + "\"";
        ok = false;
      }
    } else if (f[0] == "FWM") {
      service.proto = "FWM";
      service.local_mark = std::string(f[1]);
      service.local_address.clear();
      service.local_port = 0;
    } else if (f[0] == "->" && f.size() >= 6) {
      IpvsBackend b = service;
      auto weight = parse_uint(f[3]), active = parse_uint(f[4]), inactive = parse_uint(f[5]);
      if (!parse_address_port(f[1], b.remote_address, b.remote_port) || !weight || !active ||
          !inactive) {
        error = "invalid real server line \"" + std::string(line.substr(0, 128)) + "\"";
        ok = false;
        return;
      }
      b.weight = *weight, b.active_connections = *active, b.inactive_connections = *inactive;
      backends.push_back(std::move(b));
    }
  });
  if (!ok) return std::nullopt;
  return backends;
}

namespace {

constexpr const char* kAllBackendLabels[] = {"local_address", "local_port", "remote_address",
                                             "remote_port",   "proto",      "local_mark"};

std::string label_value(const IpvsBackend& b, std::string_view label) {
  if (label == "local_address") return b.local_address;
  if (label == "local_port") return std::to_string(b.local_port);
  if (label == "remote_address") return b.remote_address;
  if (label == "remote_port") return std::to_string(b.remote_port);
  if (label == "proto") return b.proto;
  return b.local_mark;
}

class IpvsCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    flag_ = b.flag_name("backend-labels");
    b.option("backend-labels", labels_flag_, "Comma separated list for IPVS backend stats labels.");
  }

  // node_exporter's parseIpvsLabels: the chosen labels in the full list's order; unknown ones
  // are an error naming them, sorted.
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    std::vector<std::string> wanted;
    for (auto l : split(labels_flag_, ',')) {
      if (!l.empty()) wanted.emplace_back(l);
    }
    labels_.clear();
    for (const char* l : kAllBackendLabels) {
      if (std::find(wanted.begin(), wanted.end(), l) != wanted.end()) labels_.push_back(l);
      std::erase(wanted, l);
    }
    if (!wanted.empty()) {
      std::sort(wanted.begin(), wanted.end());
      wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
      std::string unknown;
      for (const auto& w : wanted) unknown += (unknown.empty() ? "" : ", ") + w;
      throw ConfigError(flag_, "unknown IPVS backend labels: \"" + unknown + "\"");
    }
  }

  void collect(MetricSink& sink) override {
    auto stats_path = paths_.proc("net/ip_vs_stats");
    std::string text, error;
    int err = 0;
    if (!try_read_file(stats_path, text, err)) {
      // No ip_vs module loaded: node_exporter returns ErrNoData with a debug log.
      if (err == ENOENT) throw FeatureAbsent(stats_path + ": IPVS is not loaded");
      throw FileError(stats_path, err);
    }
    auto stats = parse_ipvs_stats(text, error);
    if (!stats) throw std::runtime_error(stats_path + ": " + error);
    auto total = [&](const char* name, const char* help, std::uint64_t v) {
      sink.counter(name, help, static_cast<double>(v));
    };
    total("node_ipvs_connections_total", "The total number of connections made.",
          stats->connections);
    total("node_ipvs_incoming_packets_total", "The total number of incoming packets.",
          stats->incoming_packets);
    total("node_ipvs_outgoing_packets_total", "The total number of outgoing packets.",
          stats->outgoing_packets);
    total("node_ipvs_incoming_bytes_total", "The total amount of incoming data.",
          stats->incoming_bytes);
    total("node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.",
          stats->outgoing_bytes);

    auto backends_path = paths_.proc("net/ip_vs");
    auto backends = parse_ipvs_backends(read_file(backends_path), error);
    if (!backends) throw std::runtime_error(backends_path + ": " + error);
    // Backends that share the chosen label values are summed, as node_exporter does.
    struct Sum {
      std::uint64_t active = 0, inactive = 0, weight = 0;
    };
    std::map<std::vector<std::string>, Sum> sums;
    for (const auto& b : *backends) {
      std::vector<std::string> key;
      for (const auto& l : labels_) key.push_back(label_value(b, l));
      auto& s = sums[key];
      s.active += b.active_connections, s.inactive += b.inactive_connections;
      s.weight += b.weight;
    }
    for (const auto& [key, s] : sums) {
      Labels labels;
      for (std::size_t i = 0; i < labels_.size(); ++i) labels.push_back({labels_[i], key[i]});
      sink.gauge("node_ipvs_backend_connections_active",
                 "The current active connections by local and remote address.",
                 static_cast<double>(s.active), labels);
      sink.gauge("node_ipvs_backend_connections_inactive",
                 "The current inactive connections by local and remote address.",
                 static_cast<double>(s.inactive), labels);
      sink.gauge("node_ipvs_backend_weight",
                 "The current backend weight by local and remote address.",
                 static_cast<double>(s.weight), labels);
    }
  }

 private:
  std::string flag_;
  std::string labels_flag_ = "local_address,local_port,remote_address,remote_port,proto,local_mark";
  std::vector<std::string> labels_;
};

}  // namespace

std::unique_ptr<Collector> make_ipvs_collector() { return std::make_unique<IpvsCollector>(); }

}  // namespace nodeprobe

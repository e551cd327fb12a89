// node_netstat_<Protocol>_<Field> from /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6,
// for the fields --collector.netstat.fields matches.
#include "collectors/netstat.h"

#include <cctype>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/name_filter.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::vector<NetstatField> parse_netstat(std::string_view text) {
  std::vector<std::string_view> lines;
  for_each_line(text, [&](std::string_view line) {
    if (!trim(line).empty()) lines.push_back(line);
  });
  std::vector<NetstatField> out;
  std::size_t i = 0;
  while (i + 1 < lines.size()) {
    auto names = split_fields(lines[i]);
    auto values = split_fields(lines[i + 1]);
    // A names line has a field name (not a number) after the prefix; without this check the
    // values line of a protocol whose names line was lost could pair with the next line.
    bool paired = names.size() > 1 && names[0].size() > 1 && names[0].back() == ':' &&
                  std::isalpha(static_cast<unsigned char>(names[1][0])) && !values.empty() &&
                  names[0] == values[0] && names.size() == values.size();
    if (!paired) {
      ++i;
      continue;
    }
    std::string_view protocol = names[0].substr(0, names[0].size() - 1);
    for (std::size_t f = 1; f < names.size(); ++f) {
      if (auto v = parse_double(values[f])) out.push_back({protocol, names[f], *v});
    }
    i += 2;
  }
  return out;
}

std::vector<NetstatField> parse_snmp6(std::string_view text) {
  std::vector<NetstatField> out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 2) return;
    auto six = fields[0].find('6');
    if (six == std::string_view::npos || six + 1 == fields[0].size()) return;
    auto v = parse_double(fields[1]);
    if (!v) return;
    out.push_back({fields[0].substr(0, six + 1), fields[0].substr(six + 1), *v});
  });
  return out;
}

namespace {

constexpr const char* kDefaultFields =
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|"
    "Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    "Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

class NetstatCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    flag_ = b.flag_name("fields");
    b.option("fields", fields_, "Regexp of fields to return for netstat collector.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    filter_.compile(fields_, flag_);
  }

  void collect(MetricSink& sink) override {
    // netstat and snmp exist on every kernel with IPv4; snmp6 is absent with IPv6 disabled.
    auto netstat = read_file(paths_.proc("net/netstat"));
    auto snmp = read_file(paths_.proc("net/snmp"));
    std::string snmp6;
    int err = 0;
    if (!try_read_file(paths_.proc("net/snmp6"), snmp6, err) && err != ENOENT) {
      throw FileError(paths_.proc("net/snmp6"), err);
    }
    auto netstat_fields = parse_netstat(netstat);
    auto snmp_fields = parse_netstat(snmp);
    // Every kernel prints Ip, Icmp, Tcp and Udp in snmp: nothing at all means a broken read.
    if (netstat_fields.empty() && snmp_fields.empty()) {
      throw std::runtime_error(paths_.proc("net/snmp") + ": no fields found");
    }
    emit(sink, netstat_fields);
    emit(sink, snmp_fields);
    emit(sink, parse_snmp6(snmp6));
  }

 private:
  void emit(MetricSink& sink, const std::vector<NetstatField>& fields) {
    for (const auto& f : fields) {
      std::string key = std::string(f.protocol) + "_" + std::string(f.name);
      if (!filter_.matches(key)) continue;
      sink.untyped("node_netstat_" + key,
                   "Statistic " + std::string(f.protocol) + std::string(f.name) + ".", f.value);
    }
  }

  std::string fields_ = kDefaultFields;
  std::string flag_;
  NameFilter filter_;
};

}  // namespace

std::unique_ptr<Collector> make_netstat_collector() { return std::make_unique<NetstatCollector>(); }

}  // namespace nodeprobe

// node_udp_queues{ip,queue}: bytes queued in UDP sockets, from /proc/net/udp and udp6.
#include "collectors/udp_queues.h"

#include <charconv>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/line_reader.h"

namespace nodeprobe {

bool add_udp_socket_line(std::string_view line, UdpQueueTotals& totals) {
  auto fields = split_fields(line);
  if (fields.empty() || fields[0] == "sl") return true;
  if (fields.size() < 10) return false;
  auto colon = fields[4].find(':');
  if (colon == std::string_view::npos) return false;
  auto tx = parse_hex(fields[4].substr(0, colon));
  auto rx = parse_hex(fields[4].substr(colon + 1));
  if (!tx || !rx) return false;
  totals.tx += *tx;
  totals.rx += *rx;
  return true;
}

std::optional<UdpQueueTotals> parse_udp_queues(std::string_view text) {
  UdpQueueTotals totals;
  bool valid = true;
  for_each_line(text,
                [&](std::string_view line) { valid = valid && add_udp_socket_line(line, totals); });
  if (!valid) return std::nullopt;
  return totals;
}

namespace {

class UdpQueuesCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    bool any = false;
    for (const char* version : {"v4", "v6"}) {
      auto path = paths_.proc(std::string_view(version) == "v4" ? "net/udp" : "net/udp6");
      UdpQueueTotals totals;
      bool valid = true;
      try {
        // A line per socket: streamed, as a busy host's table passes read_file's cap.
        for_each_file_line(path, [&](std::string_view line) {
          valid = valid && add_udp_socket_line(line, totals);
        });
      } catch (const FileError& e) {
        if (e.not_found()) continue;  // a kernel without that IP version
        throw;
      }
      if (!valid) throw std::runtime_error(path + ": unexpected format");
      any = true;
      const char* help = "Number of allocated memory in the kernel for UDP datagrams in bytes.";
      sink.gauge("node_udp_queues", help, static_cast<double>(totals.tx),
                 {{"ip", version}, {"queue", "tx"}});
      sink.gauge("node_udp_queues", help, static_cast<double>(totals.rx),
                 {{"ip", version}, {"queue", "rx"}});
    }
    if (!any) throw FeatureAbsent("neither net/udp nor net/udp6 exists");
  }
};

}  // namespace

std::unique_ptr<Collector> make_udp_queues_collector() {
  return std::make_unique<UdpQueuesCollector>();
}

}  // namespace nodeprobe

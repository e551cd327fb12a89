// node_nfs_* from /proc/net/rpc/nfs, the NFS client's sunrpc statistics.
#include <array>
#include <cerrno>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "collectors/nfs_rpc.h"

namespace nodeprobe {
namespace {

constexpr const char* kRequests = "node_nfs_requests_total";
constexpr const char* kRequestsHelp = "Number of NFS procedures invoked.";

template <std::size_t N>
void requests(MetricSink& sink, const char* proto, const std::array<std::string_view, N>& names,
              const std::array<std::uint64_t, N>& values) {
  // node_exporter walks procfs's structs by reflection, so every procedure is reported,
  // Null included.
  for (std::size_t i = 0; i < N; ++i) {
    sink.counter(kRequests, kRequestsHelp, static_cast<double>(values[i]),
                 {{"proto", proto}, {"method", std::string(names[i])}});
  }
}

class NfsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto path = paths_.proc("net/rpc/nfs");
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err)) {
      // No NFS client module loaded: node_exporter returns ErrNoData with a debug log.
      if (err == ENOENT) throw FeatureAbsent(path + ": no NFS client statistics");
      throw FileError(path, err);
    }
    std::string error;
    auto stats = parse_nfs_client_stats(text, error);
    if (!stats) throw std::runtime_error(path + ": " + error);

    const auto& n = stats->network;
    const char* packets_help = "Total NFSd network packets (sent+received) by protocol type.";
    sink.counter("node_nfs_packets_total", packets_help, static_cast<double>(n.udp),
                 {{"protocol", "udp"}});
    sink.counter("node_nfs_packets_total", packets_help, static_cast<double>(n.tcp),
                 {{"protocol", "tcp"}});
    sink.counter("node_nfs_connections_total", "Total number of NFSd TCP connections.",
                 static_cast<double>(n.tcp_connections));
    sink.counter("node_nfs_rpcs_total", "Total number of RPCs performed.",
                 static_cast<double>(stats->rpc_calls));
    sink.counter("node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.",
                 static_cast<double>(stats->rpc_retransmissions));
    sink.counter("node_nfs_rpc_authentication_refreshes_total",
                 "Number of RPC authentication refreshes performed.",
                 static_cast<double>(stats->rpc_auth_refreshes));
    requests(sink, "2", kNfsV2Procedures, stats->v2);
    requests(sink, "3", kNfsV3Procedures, stats->v3);
    requests(sink, "4", kNfsClientV4Procedures, stats->v4);
  }
};

}  // namespace

std::unique_ptr<Collector> make_nfs_collector() { return std::make_unique<NfsCollector>(); }

}  // namespace nodeprobe

// node_nfsd_* from /proc/net/rpc/nfsd, the kernel NFS server's statistics.
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "collectors/nfs_rpc.h"

namespace nodeprobe {
namespace {

constexpr const char* kRequests = "node_nfsd_requests_total";
constexpr const char* kRequestsHelp = "Total number NFSd Requests by method and protocol.";

// The NFSv4 operations node_exporter reports (its updateNFSdRequestsv4Stats list).
constexpr std::string_view kReportedV4Operations[] = {
    "Access",  "Close",    "Commit",   "Create",      "DelegPurge",  "DelegReturn", "GetAttr",
    "GetFH",   "Link",     "Lock",     "Lockt",       "Locku",       "Lookup",      "LookupRoot",
    "Nverify", "Open",     "OpenAttr", "OpenConfirm", "OpenDgrd",    "PutFH",       "Read",
    "ReadDir", "ReadLink", "Remove",   "Rename",      "Renew",       "RestoreFH",   "SaveFH",
    "SecInfo", "SetAttr",  "Verify",   "Write",       "RelLockOwner"};

void request(MetricSink& sink, const char* proto, std::string_view method, std::uint64_t value) {
  sink.counter(kRequests, kRequestsHelp, static_cast<double>(value),
               {{"proto", proto}, {"method", std::string(method)}});
}

void counter(MetricSink& sink, const char* name, const char* help, std::uint64_t value,
             Labels labels = {}) {
  sink.counter(name, help, static_cast<double>(value), std::move(labels));
}

void gauge(MetricSink& sink, const char* name, const char* help, std::uint64_t value) {
  sink.gauge(name, help, static_cast<double>(value));
}

class NfsdCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto path = paths_.proc("net/rpc/nfsd");
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err)) {
      // No NFS server running: node_exporter returns ErrNoData with a debug log.
      if (err == ENOENT) throw FeatureAbsent(path + ": no NFS server statistics");
      throw FileError(path, err);
    }
    std::string error;
    auto s = parse_nfs_server_stats(text, error);
    if (!s) throw std::runtime_error(path + ": " + error);

    counter(sink, "node_nfsd_reply_cache_hits_total",
            "Total number of NFSd Reply Cache hits (client lost server response).",
            s->reply_cache_hits);
    counter(sink, "node_nfsd_reply_cache_misses_total",
            "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
            s->reply_cache_misses);
    counter(sink, "node_nfsd_reply_cache_nocache_total",
            "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).",
            s->reply_cache_nocache);
    counter(sink, "node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
            s->file_handles_stale);
    counter(sink, "node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", s->bytes_read);
    counter(sink, "node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.",
            s->bytes_written);
    gauge(sink, "node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.",
          s->threads);
    gauge(sink, "node_nfsd_read_ahead_cache_size_blocks",
          "How large the read ahead cache is in blocks.", s->read_ahead_cache_size);
    counter(sink, "node_nfsd_read_ahead_cache_not_found_total",
            "Total number of NFSd read ahead cache not found.", s->read_ahead_cache_not_found);

    const char* packets_help = "Total NFSd network packets (sent+received) by protocol type.";
    counter(sink, "node_nfsd_packets_total", packets_help, s->network.udp, {{"proto", "udp"}});
    counter(sink, "node_nfsd_packets_total", packets_help, s->network.tcp, {{"proto", "tcp"}});
    counter(sink, "node_nfsd_connections_total", "Total number of NFSd TCP connections.",
            s->network.tcp_connections);

    const char* errors_help = "Total number of NFSd RPC errors by error type.";
    counter(sink, "node_nfsd_rpc_errors_total", errors_help, s->rpc_bad_format, {{"error", "fmt"}});
    counter(sink, "node_nfsd_rpc_errors_total", errors_help, s->rpc_bad_auth, {{"error", "auth"}});
    counter(sink, "node_nfsd_rpc_errors_total", errors_help, s->rpc_bad_client,
            {{"error", "cInt"}});
    counter(sink, "node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", s->rpc_calls);

    // node_exporter leaves out Null for NFSv2 and NFSv3.
    for (std::size_t i = 1; i < kNfsV2Procedures.size(); ++i) {
      request(sink, "2", kNfsV2Procedures[i], s->v2[i]);
    }
    for (std::size_t i = 1; i < kNfsV3Procedures.size(); ++i) {
      request(sink, "3", kNfsV3Procedures[i], s->v3[i]);
    }
    for (auto op : kReportedV4Operations) {
      for (std::size_t i = 0; i < kNfsdV4Operations.size(); ++i) {
        if (kNfsdV4Operations[i] == op) request(sink, "4", op, s->v4_ops[i]);
      }
    }
    // node_exporter 1.8 (procfs 0.12): the wdeleg_getattr line of Linux 6.6.
    request(sink, "4", "WdelegGetattr", s->wdeleg_getattr);
  }
};

}  // namespace

std::unique_ptr<Collector> make_nfsd_collector() { return std::make_unique<NfsdCollector>(); }

}  // namespace nodeprobe

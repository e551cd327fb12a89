// node_fibrechannel_* from /sys/class/fc_host/<host>/ (drivers/scsi/scsi_transport_fc.c).
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/go_uint.h"

namespace nodeprobe {
namespace {

struct Counter {
  const char* file;
  const char* metric;  // node_fibrechannel_<metric>
  const char* help;
};

constexpr Counter kCounters[] = {
    {"dumped_frames", "dumped_frames_total", "Number of dumped frames"},
    {"error_frames", "error_frames_total", "Number of errors in frames"},
    {"invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"},
    {"rx_frames", "rx_frames_total", "Number of frames received"},
    {"rx_words", "rx_words_total", "Number of words received by host port"},
    {"tx_frames", "tx_frames_total", "Number of frames transmitted by host port"},
    {"tx_words", "tx_words_total", "Number of words transmitted by host port"},
    {"seconds_since_last_reset", "seconds_since_last_reset_total",
     "Number of seconds since last host port reset"},
    {"invalid_tx_word_count", "invalid_tx_words_total",
     "Number of invalid words transmitted by host port"},
    {"link_failure_count", "link_failure_total", "Number of times the host port link has failed"},
    {"loss_of_sync_count", "loss_of_sync_total",
     "Number of failures on either bit or transmission word boundaries"},
    {"loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"},
    {"nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"},
    {"fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"},
};

// Attributes that label node_fibrechannel_info, in node_exporter's order. The four WWN-like
// ones lose their "0x" prefix, as procfs strips the first two characters.
struct InfoAttribute {
  const char* file;
  bool strip_prefix;
};
constexpr InfoAttribute kInfo[] = {
    {"speed", false},         {"port_state", false},        {"port_type", false},
    {"port_id", true},        {"port_name", true},          {"fabric_name", true},
    {"symbolic_name", false}, {"supported_classes", false}, {"supported_speeds", false},
    {"dev_loss_tmo", false},
};

// The transport prints an unimplemented statistic as all ones (fc_stat_show: -1 as u64).
constexpr std::uint64_t kNotImplemented = ~std::uint64_t{0};

class FibrechannelCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/fc_host");
    int err = 0;
    auto hosts = list_directory(base, err);
    if (!hosts) {
      // node_exporter: "fibrechannel statistics not found, skipping" (ErrNoData).
      if (err == ENOENT) throw FeatureAbsent(base + ": no fc_host class");
      throw FileError(base, err);
    }
    for (const auto& host : *hosts) collect_host(sink, base + "/" + host, host);
  }

 private:
  static void collect_host(MetricSink& sink, const std::string& dir, const std::string& host) {
    Labels info = {{"fc_host", host}};
    for (const auto& a : kInfo) {
      int err = 0;
      auto path = dir + "/" + a.file;
      auto text = read_attribute(path, err);
      // Drivers leave out attributes they do not have (node_exporter issue #2919).
      if (!text && err != ENOENT) throw FileError(path, err);
      std::string value = text.value_or("");
      if (a.strip_prefix && value.size() > 2) value.erase(0, 2);
      info.push_back({a.file, value});
    }
    sink.gauge("node_fibrechannel_info",
               "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.", 1,
               std::move(info));
    auto stats = dir + "/statistics";
    int err = 0;
    if (!list_directory(stats, err)) {
      if (err == ENOENT) throw FeatureAbsent(stats + ": not found");
      throw FileError(stats, err);
    }
    for (const auto& c : kCounters) {
      auto path = stats + "/" + c.file;
      struct stat st;
      std::uint64_t value = 0;  // procfs leaves a missing statistic at zero
      if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        auto text = read_attribute(path, err);
        if (!text && err != ENOENT && err != EOPNOTSUPP && err != EINVAL) {
          throw FileError(path, err);
        }
        if (text) {
          auto v = parse_go_uint(*text);
          if (!v) throw std::runtime_error(path + ": not a counter");
          value = *v;
        }
      }
      if (value == kNotImplemented) continue;
      sink.counter(std::string("node_fibrechannel_") + c.metric, c.help, static_cast<double>(value),
                   {{"fc_host", host}});
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_fibrechannel_collector() {
  return std::make_unique<FibrechannelCollector>();
}

}  // namespace nodeprobe

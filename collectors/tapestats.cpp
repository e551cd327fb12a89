// node_tape_* from /sys/class/scsi_tape/st<N>/stats/ (Documentation/scsi/st.rst, "Sysfs and
// statistics for tape devices").
#include <re2/re2.h>

#include <cerrno>
#include <map>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/go_uint.h"

namespace nodeprobe {
namespace {

struct Statistic {
  const char* file;
  const char* metric;
  const char* help;
  bool counter;
  double scale;
};

constexpr Statistic kStatistics[] = {
    {"in_flight", "node_tape_io_now", "The number of I/Os currently outstanding to this device.",
     false, 1},
    {"io_ns", "node_tape_io_time_seconds_total",
     "The amount of time spent waiting for all I/O to complete (including read and write). This "
     "includes tape movement commands such as seeking between file or set marks and implicit tape "
     "movement such as when rewind on close tape devices are used.",
     true, 1e-9},
    {"other_cnt", "node_tape_io_others_total",
     "The number of I/Os issued to the tape drive other than read or write commands. The time "
     "taken to complete these commands uses the following calculation "
     "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
     true, 1},
    {"read_byte_cnt", "node_tape_read_bytes_total", "The number of bytes read from the tape drive.",
     true, 1},
    {"read_cnt", "node_tape_reads_completed_total",
     "The number of read requests issued to the tape drive.", true, 1},
    {"read_ns", "node_tape_read_time_seconds_total",
     "The amount of time spent waiting for read requests to complete.", true, 1e-9},
    {"resid_cnt", "node_tape_residual_total",
     "The number of times during a read or write we found the residual amount to be non-zero. "
     "This should mean that a program is issuing a read larger thean the block size on tape. For "
     "write not all data made it to tape.",
     true, 1},
    {"write_byte_cnt", "node_tape_written_bytes_total",
     "The number of bytes written to the tape drive.", true, 1},
    {"write_cnt", "node_tape_writes_completed_total",
     "The number of write requests issued to the tape drive.", true, 1},
    {"write_ns", "node_tape_write_time_seconds_total",
     "The amount of time spent waiting for write requests to complete.", true, 1e-9},
};

class TapestatsCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    flag_ = b.flag_name("ignored-devices");
    b.option("ignored-devices", ignored_devices_, "Regexp of devices to ignore for tapestats.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    ignored_ = std::make_unique<RE2>(ignored_devices_, RE2::Quiet);
    if (!ignored_->ok()) throw ConfigError(flag_, "invalid regex: " + ignored_->error());
  }

  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/scsi_tape");
    int err = 0;
    auto devices = list_directory(base, err);
    if (!devices) {
      // node_exporter: "scsi_tape stats not found, skipping" (ErrNoData).
      if (err == ENOENT) throw FeatureAbsent(base + ": no scsi_tape class");
      throw FileError(base, err);
    }
    static const RE2 kTape("st[0-9]+");  // procfs skips the nst*, st*a, st*l, st*m variants
    for (const auto& device : *devices) {
      if (!RE2::FullMatch(device, kTape)) continue;
      auto stats = base + "/" + device + "/stats";
      auto files = list_directory(stats, err);
      if (!files) {
        if (err == ENOENT) throw FeatureAbsent(stats + ": not found");
        throw FileError(stats, err);
      }
      // procfs reads every file there, known or not, before node_exporter filters devices.
      std::map<std::string, std::string> values;
      for (const auto& file : *files) {
        auto text = read_attribute(stats + "/" + file, err);
        if (!text) throw FileError(stats + "/" + file, err);
        values[file] = *text;
      }
      if (RE2::PartialMatch(device, *ignored_)) continue;
      for (const auto& s : kStatistics) {
        std::uint64_t value = 0;  // a statistic the kernel does not print reads as zero
        if (auto it = values.find(s.file); it != values.end()) {
          auto v = parse_go_uint(it->second);
          if (!v) throw std::runtime_error(stats + "/" + s.file + ": not a counter");
          value = *v;
        }
        sink.add(s.metric, s.help, s.counter ? MetricType::Counter : MetricType::Gauge,
                 static_cast<double>(value) * s.scale, {{"device", device}});
      }
    }
  }

 private:
  std::string flag_;
  std::string ignored_devices_ = "^$";
  std::unique_ptr<RE2> ignored_;
};

}  // namespace

std::unique_ptr<Collector> make_tapestats_collector() {
  return std::make_unique<TapestatsCollector>();
}

}  // namespace nodeprobe

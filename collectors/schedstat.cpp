// node_schedstat_* from /proc/schedstat (CONFIG_SCHEDSTATS).
#include "collectors/schedstat.h"

#include <cerrno>
#include <memory>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::vector<SchedstatCpu> parse_schedstat(std::string_view text) {
  std::vector<SchedstatCpu> out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    // "cpu<N>" and nine counters; later schedstat versions may append more.
    if (fields.size() < 10 || !fields[0].starts_with("cpu")) return;
    auto cpu = fields[0].substr(3);
    if (!parse_uint(cpu)) return;
    std::uint64_t values[9];
    for (std::size_t i = 0; i < 9; ++i) {
      auto v = parse_uint(fields[i + 1]);
      if (!v) return;
      values[i] = *v;
    }
    out.push_back({std::string(cpu), values[6], values[7], values[8]});
  });
  return out;
}

namespace {

class SchedstatCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto path = paths_.proc("schedstat");
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err)) {
      // A kernel built without CONFIG_SCHEDSTATS; node_exporter reports no data.
      if (err == ENOENT) throw FeatureAbsent(path + ": not present (kernel without schedstats)");
      throw FileError(path, err);
    }
    for (const auto& c : parse_schedstat(text)) {
      Labels labels = {{"cpu", c.cpu}};
      sink.counter("node_schedstat_running_seconds_total",
                   "Number of seconds CPU spent running a process.",
                   static_cast<double>(c.running_ns) / 1e9, labels);
      sink.counter("node_schedstat_waiting_seconds_total",
                   "Number of seconds spent by processing waiting for this CPU.",
                   static_cast<double>(c.waiting_ns) / 1e9, labels);
      sink.counter("node_schedstat_timeslices_total", "Number of timeslices executed by CPU.",
                   static_cast<double>(c.timeslices), labels);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_schedstat_collector() {
  return std::make_unique<SchedstatCollector>();
}

}  // namespace nodeprobe

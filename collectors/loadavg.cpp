// node_load1, node_load5, node_load15 from /proc/loadavg.
#include "collectors/loadavg.h"

#include <cmath>
#include <memory>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/parse.h"

namespace nodeprobe {

std::optional<LoadAverage> parse_loadavg(std::string_view text) {
  auto fields = split_fields(text);
  if (fields.size() < 3) return std::nullopt;
  LoadAverage out;
  double* targets[] = {&out.load1, &out.load5, &out.load15};
  for (int i = 0; i < 3; ++i) {
    auto v = parse_double(fields[static_cast<std::size_t>(i)]);
    if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
    *targets[i] = *v;
  }
  return out;
}

namespace {

class LoadavgCollector final : public Collector {
 public:
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    loadavg_ = KeptFile(paths_.proc("loadavg"), ReadEnd::kShortRead);
  }

  void collect(MetricSink& sink) override {
    auto load = parse_loadavg(loadavg_.read());
    if (!load) throw std::runtime_error(loadavg_.path() + ": unexpected format");
    sink.gauge("node_load1", "1m load average.", load->load1);
    sink.gauge("node_load5", "5m load average.", load->load5);
    sink.gauge("node_load15", "15m load average.", load->load15);
  }

 private:
  KeptFile loadavg_{""};
};

}  // namespace

std::unique_ptr<Collector> make_loadavg_collector() { return std::make_unique<LoadavgCollector>(); }

}  // namespace nodeprobe

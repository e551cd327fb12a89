// node_softnet_{processed,dropped,times_squeezed}_total{cpu} from /proc/net/softnet_stat.
#include "collectors/softnet.h"

#include <charconv>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::optional<std::vector<SoftnetCpu>> parse_softnet(std::string_view text) {
  std::vector<SoftnetCpu> cpus;
  bool valid = true;
  for_each_line(text, [&](std::string_view line) {
    if (!valid || trim(line).empty()) return;
    auto fields = split_fields(line);
    if (fields.size() < 9) {
      valid = false;
      return;
    }
    SoftnetCpu cpu;
    for (auto field : fields) {
      if (!parse_hex(field)) {
        valid = false;
        return;
      }
    }
    cpu.processed = *parse_hex(fields[0]);
    cpu.dropped = *parse_hex(fields[1]);
    cpu.time_squeezed = *parse_hex(fields[2]);
    cpus.push_back(cpu);
  });
  if (!valid) return std::nullopt;
  return cpus;
}

namespace {

class SoftnetCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto path = paths_.proc("net/softnet_stat");
    auto cpus = parse_softnet(read_file(path));
    if (!cpus) throw std::runtime_error(path + ": unexpected format");
    if (cpus->empty()) throw std::runtime_error(path + ": no CPU lines");
    for (std::size_t i = 0; i < cpus->size(); ++i) {
      const auto& c = (*cpus)[i];
      Labels cpu = {{"cpu", std::to_string(i)}};
      sink.counter("node_softnet_processed_total", "Number of processed packets",
                   static_cast<double>(c.processed), cpu);
      sink.counter("node_softnet_dropped_total", "Number of dropped packets",
                   static_cast<double>(c.dropped), cpu);
      sink.counter("node_softnet_times_squeezed_total",
                   "Number of times processing packets ran out of quota",
                   static_cast<double>(c.time_squeezed), cpu);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_softnet_collector() { return std::make_unique<SoftnetCollector>(); }

}  // namespace nodeprobe

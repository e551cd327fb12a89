// node_entropy_available_bits and node_entropy_pool_size_bits from /proc/sys/kernel/random.
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

class EntropyCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    sink.gauge("node_entropy_available_bits", "Bits of available entropy.",
               read_bits("sys/kernel/random/entropy_avail"));
    sink.gauge("node_entropy_pool_size_bits", "Bits of entropy pool.",
               read_bits("sys/kernel/random/poolsize"));
  }

 private:
  double read_bits(const char* relative) {
    auto path = paths_.proc(relative);
    auto bits = parse_uint(trim(read_file(path)));
    if (!bits) throw std::runtime_error(path + ": not an unsigned integer");
    return static_cast<double>(*bits);
  }
};

}  // namespace

std::unique_ptr<Collector> make_entropy_collector() { return std::make_unique<EntropyCollector>(); }

}  // namespace nodeprobe

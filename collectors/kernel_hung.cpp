// node_kernel_hung_task_detect_count from /proc/sys/kernel/hung_task_detect_count (Linux 6.13+
// with CONFIG_DETECT_HUNG_TASK).
#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

class KernelHungCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto path = paths_.proc("sys/kernel/hung_task_detect_count");
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err)) {
      if (err == ENOENT) {
        throw FeatureAbsent(path + ": not present (needs Linux 6.13+ with hung task detection)");
      }
      throw FileError(path, err);
    }
    auto count = parse_uint(trim(text));
    if (!count) throw std::runtime_error(path + ": not an unsigned integer");
    // The name lacks _total but the type is counter, as in node_exporter. Its HELP was a
    // copy-paste of the interrupts one until node_exporter PR #3510; this is the corrected text.
    sink.counter("node_kernel_hung_task_detect_count",
                 "Total number of tasks that have been detected as hung since the system booted.",
                 static_cast<double>(*count));
  }
};

}  // namespace

std::unique_ptr<Collector> make_kernel_hung_collector() {
  return std::make_unique<KernelHungCollector>();
}

}  // namespace nodeprobe

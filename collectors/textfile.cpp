// Placeholder until the textfile collector lands.
#include <memory>

#include "agent/collector.h"

namespace nodeprobe {
namespace {
class TextfileCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.option("directory", directory_, "Directory to read text files with metrics from.");
  }
  void collect(MetricSink& sink) override {
    sink.gauge("node_textfile_scrape_error",
               "1 if there was an error opening or reading a file, 0 otherwise", 0);
  }

 private:
  std::string directory_;
};
}  // namespace
std::unique_ptr<Collector> make_textfile_collector() { return std::make_unique<TextfileCollector>(); }
}  // namespace nodeprobe

// node_filefd_allocated and node_filefd_maximum from /proc/sys/fs/file-nr.
#include "collectors/filefd.h"

#include <memory>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/parse.h"

namespace nodeprobe {

std::optional<FileNr> parse_file_nr(std::string_view text) {
  auto fields = split_fields(text);
  if (fields.size() != 3) return std::nullopt;
  auto allocated = parse_uint(fields[0]);
  auto unused = parse_uint(fields[1]);  // always 0 since Linux 2.6, but still a number
  auto maximum = parse_uint(fields[2]);
  if (!allocated || !unused || !maximum) return std::nullopt;
  return FileNr{static_cast<double>(*allocated), static_cast<double>(*maximum)};
}

namespace {

class FilefdCollector final : public Collector {
 public:
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    file_nr_ = KeptFile(paths_.proc("sys/fs/file-nr"), ReadEnd::kShortRead);
  }

  void collect(MetricSink& sink) override {
    auto nr = parse_file_nr(file_nr_.read());
    if (!nr) throw std::runtime_error(file_nr_.path() + ": unexpected format");
    sink.gauge("node_filefd_allocated", "File descriptor statistics: allocated.", nr->allocated);
    sink.gauge("node_filefd_maximum", "File descriptor statistics: maximum.", nr->maximum);
  }

 private:
  KeptFile file_nr_{""};
};

}  // namespace

std::unique_ptr<Collector> make_filefd_collector() { return std::make_unique<FilefdCollector>(); }

}  // namespace nodeprobe

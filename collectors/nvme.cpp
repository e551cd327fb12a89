// node_nvme_info: NVMe controllers from /sys/class/nvme (drivers/nvme/host/sysfs.c), as
// node_exporter 1.5 reads them through prometheus/procfs's NVMeClass.
#include <cerrno>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

// procfs fails the whole class on any unreadable attribute; node_exporter reports no data when
// the error is a missing file (no NVMe driver, or a controller removed while being read).
[[noreturn]] void fail(const std::string& path, int err) {
  if (err == ENOENT) throw FeatureAbsent(path + ": not found");
  throw FileError(path, err);
}

class NvmeCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::string base = paths_.sys("class/nvme");
    int err = 0;
    auto devices = list_directory(base, err);
    if (!devices) fail(base, err);
    std::vector<Labels> infos;
    for (const auto& device : *devices) {
      Labels labels = {{"device", device}};
      // The label names are node_exporter's; the values are the attributes, spaces trimmed
      // (the kernel pads model and serial to their fixed identify-field width).
      constexpr std::pair<const char*, const char*> kAttributes[] = {
          {"firmware_rev", "firmware_revision"},
          {"model", "model"},
          {"serial", "serial"},
          {"state", "state"}};
      for (const auto& [file, label] : kAttributes) {
        std::string path = base + "/" + device + "/" + file;
        auto value = read_attribute(path, err);
        if (!value) fail(path, err);
        labels.push_back({label, *value});
      }
      infos.push_back(std::move(labels));
    }
    for (auto& labels : infos) {
      sink.gauge("node_nvme_info",
                 "Non-numeric data from /sys/class/nvme/<device>, value is always 1.", 1,
                 std::move(labels));
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_nvme_collector() { return std::make_unique<NvmeCollector>(); }

}  // namespace nodeprobe

// node_dmi_info from /sys/class/dmi/id: the firmware's description of the machine.
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

// The attributes node_exporter turns into labels; the label is the file name.
constexpr std::array<std::string_view, 20> kAttributes = {
    "bios_date",      "bios_release",   "bios_vendor",     "bios_version",    "board_asset_tag",
    "board_name",     "board_serial",   "board_vendor",    "board_version",   "chassis_asset_tag",
    "chassis_serial", "chassis_vendor", "chassis_version", "product_family",  "product_name",
    "product_serial", "product_sku",    "product_uuid",    "product_version", "sys_vendor"};

class DmiCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    // DMI data does not change until the next boot; node_exporter reads it once, at start.
    if (!labels_) labels_ = read_labels();
    if (labels_->empty()) {
      throw FeatureAbsent(paths_.sys("class/dmi/id") + ": no DMI attributes readable");
    }
    sink.gauge("node_dmi_info",
               "A metric with a constant '1' value labeled by bios_date, bios_release, "
               "bios_vendor, bios_version, board_asset_tag, board_name, board_serial, "
               "board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, "
               "chassis_version, product_family, product_name, product_serial, product_sku, "
               "product_uuid, product_version, system_vendor if provided by DMI.",
               1, *labels_);
  }

 private:
  Labels read_labels() const {
    auto dir = paths_.sys("class/dmi/id");
    int err = 0;
    auto files = list_directory(dir, err);
    if (!files) {
      // No DMI on this platform (most ARM boards, many VMs and containers).
      if (err == ENOENT || err == ENOTDIR) return {};
      throw FileError(dir, err);
    }
    Labels labels;
    for (const auto& file : *files) {
      if (std::find(kAttributes.begin(), kAttributes.end(), file) == kAttributes.end()) continue;
      auto path = dir + "/" + file;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      auto value = read_attribute(path, err);
      if (!value) {
        // The serial numbers and product_uuid are readable by root only.
        if (err == EACCES || err == EPERM) continue;
        throw FileError(path, err);
      }
      // node_exporter's label for sys_vendor is system_vendor.
      labels.push_back({file == "sys_vendor" ? "system_vendor" : file, std::move(*value)});
    }
    return labels;
  }

  std::optional<Labels> labels_;
};

}  // namespace

std::unique_ptr<Collector> make_dmi_collector() { return std::make_unique<DmiCollector>(); }

}  // namespace nodeprobe

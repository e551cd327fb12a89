// node_dmmultipath_* from /sys/block/dm-*/ for device-mapper multipath maps (dm/uuid starts with
// "mpath-"), with each path's state from /sys/block/<path>/device/state.
#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

// node_exporter answers ErrNoData for any missing or unreadable file on the way (errors.Is
// ErrNotExist or ErrPermission anywhere in procfs's error chain).
[[noreturn]] void fail(const std::string& path, int err) {
  if (err == ENOENT || err == EACCES || err == EPERM) throw FeatureAbsent(path + ": unreadable");
  throw FileError(path, err);
}

std::string attribute(const std::string& path) {
  int err = 0;
  auto text = read_attribute(path, err);
  if (!text) fail(path, err);
  return *text;
}

std::uint64_t number(const std::string& path) {
  auto v = parse_uint(attribute(path));
  if (!v) throw std::runtime_error(path + ": not an unsigned integer");
  return *v;
}

// SCSI paths report "running", NVMe paths "live" when usable.
bool path_active(const std::string& state) { return state == "running" || state == "live"; }

class DmMultipathCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto block = paths_.sys("block");
    int err = 0;
    auto entries = list_directory(block, err);
    if (!entries) fail(block, err);
    for (const auto& sysfs_name : *entries) {
      if (!sysfs_name.starts_with("dm-")) continue;
      auto dir = block + "/" + sysfs_name;
      auto uuid = read_attribute(dir + "/dm/uuid", err);
      if (!uuid) {
        if (err == ENOENT) continue;  // not a device-mapper device
        fail(dir + "/dm/uuid", err);
      }
      if (!uuid->starts_with("mpath-")) continue;
      auto name = attribute(dir + "/dm/name");
      bool suspended = number(dir + "/dm/suspended") == 1;
      double size = static_cast<double>(number(dir + "/size") * 512);

      Labels device = {{"device", name}, {"sysfs_name", sysfs_name}};
      sink.gauge("node_dmmultipath_device_info",
                 "Non-numeric information about a DM-multipath device.", 1,
                 {{"device", name}, {"sysfs_name", sysfs_name}, {"uuid", *uuid}});
      sink.gauge("node_dmmultipath_device_active",
                 "Whether the multipath device-mapper device is active (1) or suspended (0).",
                 suspended ? 0 : 1, device);
      sink.gauge("node_dmmultipath_device_size_bytes",
                 "Size of the multipath device in bytes, read from /sys/block/<dm>/size.", size,
                 device);

      std::vector<std::string> slaves;
      if (auto list = list_directory(dir + "/slaves", err)) {
        slaves = std::move(*list);
      } else if (err != ENOENT) {
        fail(dir + "/slaves", err);
      }
      int active = 0;
      for (const auto& path : slaves) {
        auto state = attribute(block + "/" + path + "/device/state");
        if (path_active(state)) ++active;
        sink.gauge("node_dmmultipath_path_state",
                   "Reports the underlying device state for a multipath path, as read from "
                   "/sys/block/<dev>/device/state.",
                   1, {{"device", name}, {"path", path}, {"state", state}});
      }
      sink.gauge("node_dmmultipath_device_paths", "Number of paths for a multipath device.",
                 static_cast<double>(slaves.size()), device);
      sink.gauge("node_dmmultipath_device_paths_active",
                 "Number of paths in active state (SCSI running or NVMe live) for a multipath "
                 "device.",
                 active, device);
      sink.gauge("node_dmmultipath_device_paths_failed",
                 "Number of paths not in active state for a multipath device.",
                 static_cast<double>(slaves.size() - active), device);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_dmmultipath_collector() {
  return std::make_unique<DmMultipathCollector>();
}

}  // namespace nodeprobe

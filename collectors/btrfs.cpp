// node_btrfs_*: Btrfs filesystems from /sys/fs/btrfs/<UUID> (Documentation/ABI/testing/
// sysfs-fs-btrfs), read as prometheus/procfs's btrfs package reads them for node_exporter 1.5.
//
// Filesystems that can be opened (mounted, visible under --path.rootfs, and nodeprobe running as
// root) also get per-device sizes and error counters from ioctls (collectors/btrfs_ioctl.cpp);
// for the others the device sizes come from sysfs, as in node_exporter.
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/btrfs_ioctl.h"

namespace nodeprobe {
namespace {

constexpr double kSectorBytes = 512;  // sysfs block sizes count 512-byte sectors

// Reads one filesystem's directory. As procfs: a missing attribute reads as empty (a number as
// 0), a number that does not parse is 0, any other read error fails the collection.
class FilesystemReader {
 public:
  explicit FilesystemReader(std::string dir) : dir_(std::move(dir)) {}

  std::string text(const std::string& relative) const {
    int err = 0;
    auto value = read_attribute(dir_ + "/" + relative, err);
    if (value) return *value;
    if (err == ENOENT || err == ENOTDIR) return {};
    throw FileError(dir_ + "/" + relative, err);
  }

  double number(const std::string& relative) const {
    auto v = parse_uint(text(relative));
    return v ? static_cast<double>(*v) : 0;
  }

  // The entries of a subdirectory; `dirs_only` keeps directories (not symlinks), as Go's
  // ReadDir + IsDir. A missing directory is an error only where `required`.
  std::vector<std::string> list(const std::string& relative, bool dirs_only, bool required) const {
    std::string path = dir_ + "/" + relative;
    int err = 0;
    auto names = list_directory(path, err);
    if (!names) {
      if (!required && (err == ENOENT || err == ENOTDIR)) return {};
      throw FileError(path, err);
    }
    if (!dirs_only) return *names;
    std::vector<std::string> dirs;
    for (auto& n : *names) {
      struct stat st;
      if (::lstat((path + "/" + n).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) dirs.push_back(n);
    }
    return dirs;
  }

 private:
  std::string dir_;
};

// procfs's calcRatio: how many bytes of disk a byte of this layout takes. Layouts it does not
// know (raid1c3, raid1c4) are 0.
double allocation_ratio(std::string_view layout, double devices) {
  if (layout == "single" || layout == "raid0") return 1;
  if (layout == "dup" || layout == "raid1" || layout == "raid10") return 2;
  if (layout == "raid5") return devices / (devices - 1);
  if (layout == "raid6") return devices / (devices - 2);
  return 0;
}

class BtrfsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    // No btrfs module, or no filesystem: no output and a successful collection, as the glob
    // fs/btrfs/*-* matching nothing in node_exporter.
    std::string base = paths_.sys("fs/btrfs");
    int err = 0;
    auto entries = list_directory(base, err);
    if (!entries) {
      if (err == ENOENT || err == ENOTDIR) return;
      throw FileError(base, err);
    }
    std::optional<std::map<std::string, std::vector<BtrfsIoctlDevice>>> ioctl_stats;
    for (const auto& name : *entries) {
      if (name.find('-') == std::string::npos) continue;  // "features" and other non-UUIDs
      if (!ioctl_stats) ioctl_stats = btrfs_ioctl_stats(paths_);
      collect_filesystem(sink, FilesystemReader(base + "/" + name), name, *ioctl_stats);
    }
  }

 private:
  static void collect_filesystem(
      MetricSink& sink, const FilesystemReader& fs, const std::string& dir_name,
      const std::map<std::string, std::vector<BtrfsIoctlDevice>>& ioctl_stats) {
    auto devices = fs.list("devices", false, false);
    std::string uuid = fs.text("metadata_uuid");
    if (uuid.empty()) uuid = dir_name;
    sink.gauge("node_btrfs_info", "Filesystem information", 1,
               {{"uuid", uuid}, {"label", fs.text("label")}});
    sink.gauge("node_btrfs_global_rsv_size_bytes", "Size of global reserve.",
               fs.number("allocation/global_rsv_size"), {{"uuid", uuid}});
    for (const char* type : {"data", "metadata", "system"}) {
      std::string dir = std::string("allocation/") + type;
      // procfs keeps only the last block group type's listing error (system's).
      auto layouts = fs.list(dir, true, std::string_view(type) == "system");
      sink.gauge("node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
                 fs.number(dir + "/bytes_reserved"), {{"uuid", uuid}, {"block_group_type", type}});
      for (const auto& layout : layouts) {
        Labels labels = {{"uuid", uuid}, {"block_group_type", type}, {"mode", layout}};
        sink.gauge("node_btrfs_used_bytes", "Amount of used space by a layout/data type",
                   fs.number(dir + "/" + layout + "/used_bytes"), labels);
        sink.gauge("node_btrfs_size_bytes", "Amount of space allocated for a layout/data type",
                   fs.number(dir + "/" + layout + "/total_bytes"), labels);
        sink.gauge("node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type",
                   allocation_ratio(layout, static_cast<double>(devices.size())), labels);
      }
    }
    // The ioctl results are matched by filesystem UUID without dashes, as node_exporter does.
    std::string key = uuid;
    std::erase(key, '-');
    if (auto it = ioctl_stats.find(key); it != ioctl_stats.end()) {
      collect_ioctl_devices(sink, uuid, it->second);
      return;
    }
    for (const auto& device : devices) {
      sink.gauge("node_btrfs_device_size_bytes", "Size of a device that is part of the filesystem.",
                 kSectorBytes * fs.number("devices/" + device + "/size"),
                 {{"uuid", uuid}, {"device", device}});
    }
  }

  static void collect_ioctl_devices(MetricSink& sink, const std::string& uuid,
                                    const std::vector<BtrfsIoctlDevice>& devices) {
    constexpr const char* kErrorTypes[] = {"write", "read", "flush", "corruption", "generation"};
    for (const auto& d : devices) {
      // "/dev/sda" is "sda", as the sysfs device names.
      std::string device = d.path.substr(d.path.rfind('/') + 1);
      Labels labels = {{"uuid", uuid}, {"device", device}, {"btrfs_dev_uuid", d.uuid}};
      sink.gauge("node_btrfs_device_size_bytes", "Size of a device that is part of the filesystem.",
                 static_cast<double>(d.total_bytes), labels);
      sink.gauge("node_btrfs_device_unused_bytes",
                 "Unused bytes unused on a device that is part of the filesystem.",
                 static_cast<double>(d.total_bytes - d.bytes_used), labels);
      for (std::size_t i = 0; i < d.errors.size(); ++i) {
        Labels error_labels = labels;
        error_labels.push_back({"type", kErrorTypes[i]});
        sink.counter("node_btrfs_device_errors_total", "Errors reported for the device",
                     static_cast<double>(d.errors[i]), std::move(error_labels));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_btrfs_collector() { return std::make_unique<BtrfsCollector>(); }

}  // namespace nodeprobe

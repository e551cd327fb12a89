// node_disk_*: block device I/O counters from /proc/diskstats, with the device's udev properties
// (model, serial, filesystem, device mapper, ATA) from --path.udev.data, as node_exporter 1.5.
#include "collectors/diskstats.h"

#include <array>
#include <filesystem>
#include <memory>
#include <system_error>

#include "agent/collector.h"
#include "agent/logging.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/device_filter.h"

namespace nodeprobe {

std::vector<DiskStats> parse_diskstats(std::string_view text) {
  std::vector<DiskStats> out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 3 + kDiskstatsMinCounters) return;
    auto major = parse_uint(fields[0]);
    auto minor = parse_uint(fields[1]);
    if (!major || !minor || *major > UINT32_MAX || *minor > UINT32_MAX) return;
    DiskStats d;
    d.major = static_cast<std::uint32_t>(*major);
    d.minor = static_cast<std::uint32_t>(*minor);
    d.name = std::string(fields[2]);
    std::size_t count = std::min(fields.size() - 3, kDiskstatsMaxCounters);
    d.counters.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      auto v = parse_uint(fields[3 + i]);
      if (!v) return;
      d.counters.push_back(*v);
    }
    out.push_back(std::move(d));
  });
  return out;
}

std::map<std::string, std::string, std::less<>> parse_udev_properties(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  for_each_line(text, [&](std::string_view line) {
    if (!line.starts_with("E:")) return;
    line.remove_prefix(2);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return;
    out.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  });
  return out;
}

namespace {

// node_exporter 1.5's default; newer releases also exclude zram.
constexpr std::string_view kDefaultDeviceExclude =
    "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";

// The kernel counts sectors of 512 bytes whatever the device's block size (iostats.rst).
constexpr double kSectorBytes = 512.0;
// Times are in milliseconds. node_exporter multiplies by 1/1000 rather than dividing, and the
// two differ in the last bit (12764 * 0.001 = 12.764000000000001); multiplying keeps the values
// identical.
constexpr double kSecondsPerTick = 1.0 / 1000.0;

struct CounterFamily {
  std::string_view name;
  std::string_view help;
  MetricType type;
  double scale;
};

// In the order of the counters on a /proc/diskstats line.
constexpr std::array<CounterFamily, kDiskstatsMaxCounters> kFamilies = {{
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.",
     MetricType::Counter, 1},
    {"node_disk_reads_merged_total", "The total number of reads merged.", MetricType::Counter, 1},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.",
     MetricType::Counter, kSectorBytes},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
     MetricType::Counter, kSecondsPerTick},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.",
     MetricType::Counter, 1},
    {"node_disk_writes_merged_total", "The number of writes merged.", MetricType::Counter, 1},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.",
     MetricType::Counter, kSectorBytes},
    {"node_disk_write_time_seconds_total",
     "This is the total number of seconds spent by all writes.", MetricType::Counter,
     kSecondsPerTick},
    {"node_disk_io_now", "The number of I/Os currently in progress.", MetricType::Gauge, 1},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", MetricType::Counter,
     kSecondsPerTick},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
     MetricType::Counter, kSecondsPerTick},
    {"node_disk_discards_completed_total", "The total number of discards completed successfully.",
     MetricType::Counter, 1},
    {"node_disk_discards_merged_total", "The total number of discards merged.", MetricType::Counter,
     1},
    // Sectors, not bytes: node_exporter names and scales it so.
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.",
     MetricType::Counter, 1},
    {"node_disk_discard_time_seconds_total",
     "This is the total number of seconds spent by all discards.", MetricType::Counter,
     kSecondsPerTick},
    {"node_disk_flush_requests_total", "The total number of flush requests completed successfully",
     MetricType::Counter, 1},
    {"node_disk_flush_requests_time_seconds_total",
     "This is the total number of seconds spent by all flush requests.", MetricType::Counter,
     kSecondsPerTick},
}};

struct AtaFamily {
  std::string_view property;
  std::string_view name;
  std::string_view help;
};

constexpr std::array<AtaFamily, 3> kAtaFamilies = {{
    {"ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache", "ATA disk has a write cache."},
    {"ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled",
     "ATA disk has its write cache enabled."},
    {"ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm",
     "ATA disk rotation rate in RPMs (0 for SSDs)."},
}};

// A udev database file holds a few dozen short lines; anything near this is not one.
constexpr std::size_t kUdevFileCap = 256 * 1024;

class DiskstatsCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    exclude_flag_ = b.flag_name("device-exclude");
    include_flag_ = b.flag_name("device-include");
    old_exclude_flag_ = b.flag_name("ignored-devices");
    b.option("device-exclude", exclude_,
             "Regexp of diskstats devices to exclude (mutually exclusive to device-include).");
    b.option("device-include", include_,
             "Regexp of diskstats devices to include (mutually exclusive to device-exclude).");
    b.option("ignored-devices", old_exclude_,
             "DEPRECATED: use --collector.diskstats.device-exclude.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    filter_ = make_device_filter({exclude_, kDefaultDeviceExclude, old_exclude_, include_,
                                  exclude_flag_, include_flag_, old_exclude_flag_});

    std::error_code ec;
    udev_available_ = std::filesystem::is_directory(paths_.udev_data, ec);
  }

  void collect(MetricSink& sink) override {
    // Said on the first run, not in configure(): a start-up that fails on a later flag prints
    // its one error line alone.
    if (!udev_available_ && !udev_absence_logged_) {
      log::info("udev data directory not readable; node_disk_info has no udev properties",
                {{"collector", "diskstats"}, {"path", paths_.udev_data}});
      udev_absence_logged_ = true;
    }
    for (const auto& disk : parse_diskstats(read_file(paths_.proc("diskstats")))) {
      if (filter_.ignored(disk.name)) continue;
      emit(sink, disk);
    }
  }

 private:
  std::map<std::string, std::string, std::less<>> udev_properties(const DiskStats& disk) const {
    if (!udev_available_) return {};
    std::string file = HostPaths::join(
        paths_.udev_data, "b" + std::to_string(disk.major) + ":" + std::to_string(disk.minor));
    std::string text;
    int err = 0;
    if (!try_read_file(file, text, err, kUdevFileCap)) return {};
    return parse_udev_properties(text);
  }

  void emit(MetricSink& sink, const DiskStats& disk) const {
    const std::string& dev = disk.name;
    auto info = udev_properties(disk);
    auto property = [&](std::string_view key) -> std::string {
      auto it = info.find(key);
      return it == info.end() ? std::string() : it->second;
    };

    // node_exporter 1.5 takes the serial from ID_SERIAL_SHORT only (later releases fall back to
    // SCSI_IDENT_SERIAL and ID_SERIAL).
    sink.gauge("node_disk_info", "Info of /sys/block/<block_device>.", 1,
               {{"device", dev},
                {"major", std::to_string(disk.major)},
                {"minor", std::to_string(disk.minor)},
                {"path", property("ID_PATH")},
                {"wwn", property("ID_WWN")},
                {"model", property("ID_MODEL")},
                {"serial", property("ID_SERIAL_SHORT")},
                {"revision", property("ID_REVISION")}});

    for (std::size_t i = 0; i < disk.counters.size(); ++i) {
      const auto& f = kFamilies[i];
      sink.add(f.name, f.help, f.type, static_cast<double>(disk.counters[i]) * f.scale,
               {{"device", dev}});
    }

    if (auto type = property("ID_FS_TYPE"); !type.empty()) {
      sink.gauge("node_disk_filesystem_info", "Info about disk filesystem.", 1,
                 {{"device", dev},
                  {"type", type},
                  {"usage", property("ID_FS_USAGE")},
                  {"uuid", property("ID_FS_UUID")},
                  {"version", property("ID_FS_VERSION")}});
    }

    if (auto name = property("DM_NAME"); !name.empty()) {
      sink.gauge("node_disk_device_mapper_info", "Info about disk device mapper.", 1,
                 {{"device", dev},
                  {"name", name},
                  {"uuid", property("DM_UUID")},
                  {"vg_name", property("DM_VG_NAME")},
                  {"lv_name", property("DM_LV_NAME")},
                  {"lv_layer", property("DM_LV_LAYER")}});
    }

    // Any ID_ATA value, "0" included, marks an ATA disk for node_exporter; a property that is
    // absent or not a number is skipped (node_exporter logs the latter).
    if (!property("ID_ATA").empty()) {
      for (const auto& f : kAtaFamilies) {
        auto it = info.find(f.property);
        if (it == info.end()) continue;
        if (auto v = parse_double(it->second)) {
          sink.gauge(f.name, f.help, *v, {{"device", dev}});
        } else {
          log::debug("udev ATA property is not a number",
                     {{"device", dev}, {"property", f.property}, {"value", it->second}});
        }
      }
    }
  }

  std::string exclude_ = std::string(kDefaultDeviceExclude);
  std::string include_;
  std::string old_exclude_;
  std::string exclude_flag_, include_flag_, old_exclude_flag_;
  DeviceFilter filter_;
  bool udev_absence_logged_ = false;
  bool udev_available_ = false;
};

}  // namespace

std::unique_ptr<Collector> make_diskstats_collector() {
  return std::make_unique<DiskstatsCollector>();
}

}  // namespace nodeprobe

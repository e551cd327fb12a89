// node_thermal_zone_temp and node_cooling_device_* from /sys/class/thermal
// (Documentation/driver-api/thermal/sysfs-api.rst).
#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

// "thermal_zone3" -> "3"; node_exporter globs thermal_zone[0-9]*.
std::optional<std::string> numbered(std::string_view entry, std::string_view prefix) {
  if (!entry.starts_with(prefix) || entry.size() == prefix.size()) return std::nullopt;
  auto rest = entry.substr(prefix.size());
  if (rest[0] < '0' || rest[0] > '9') return std::nullopt;
  return std::string(rest);
}

std::string required(const std::string& path) {
  int err = 0;
  auto text = read_attribute(path, err);
  if (!text) throw FileError(path, err);
  return *text;
}

class ThermalZoneCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/thermal");
    int err = 0;
    // No thermal class (a VM, a container without /sys/class): nothing to report, as in
    // node_exporter, whose glob simply finds no zone.
    auto entries = list_directory(base, err);
    if (!entries) {
      if (err == ENOENT || err == ENOTDIR) return;
      throw FileError(base, err);
    }
    for (const auto& entry : *entries) {
      if (auto zone = numbered(entry, "thermal_zone"))
        collect_zone(sink, base + "/" + entry, *zone);
    }
    for (const auto& entry : *entries) {
      if (auto device = numbered(entry, "cooling_device")) {
        collect_cooling_device(sink, base + "/" + entry, *device);
      }
    }
  }

 private:
  static void collect_zone(MetricSink& sink, const std::string& dir, const std::string& zone) {
    std::string type, temp_text;
    try {
      type = required(dir + "/type");
      required(dir + "/policy");  // node_exporter requires it too
      temp_text = required(dir + "/temp");
    } catch (const FileError& e) {
      // A sensor that has no reading now (ENODATA) is skipped; a zone without its files, or
      // one we may not read, is node_exporter's "no data" for the whole collector.
      int err = e.errno_value();
      if (err == ENODATA) return;
      if (err == ENOENT || err == EACCES || err == EPERM || err == EINVAL) {
        throw FeatureAbsent(std::string("thermal zone unreadable: ") + e.what());
      }
      throw;
    }
    auto millicelsius = parse_int(temp_text);
    if (!millicelsius) throw std::runtime_error(dir + "/temp: not an integer");
    sink.gauge("node_thermal_zone_temp", "Zone temperature in Celsius",
               static_cast<double>(*millicelsius) / 1000.0, {{"zone", zone}, {"type", type}});
  }

  static void collect_cooling_device(MetricSink& sink, const std::string& dir,
                                     const std::string& name) {
    auto type = required(dir + "/type");
    auto max_state = parse_uint(required(dir + "/max_state"));
    if (!max_state) throw std::runtime_error(dir + "/max_state: not an unsigned integer");
    // cur_state may be -1 (intel_powerclamp while idle injection is off).
    auto cur_state = parse_int(required(dir + "/cur_state"));
    if (!cur_state) throw std::runtime_error(dir + "/cur_state: not an integer");
    Labels labels = {{"name", name}, {"type", type}};
    sink.gauge("node_cooling_device_cur_state", "Current throttle state of the cooling device",
               static_cast<double>(*cur_state), labels);
    sink.gauge("node_cooling_device_max_state", "Maximum throttle state of the cooling device",
               static_cast<double>(*max_state), labels);
  }
};

}  // namespace

std::unique_ptr<Collector> make_thermal_zone_collector() {
  return std::make_unique<ThermalZoneCollector>();
}

}  // namespace nodeprobe

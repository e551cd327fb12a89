// node_time_seconds, node_time_zone_offset_seconds and the clock source info families.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>
#include <set>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

// Clock source names are identifiers, a few with a dash ("tsc", "acpi_pm", "kvm-clock",
// "arch_sys_counter"); anything else in these files is not a name.
bool valid_clocksource_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_name_char(c) && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

class TimeCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto now = std::chrono::system_clock::now();
    double seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
    sink.gauge("node_time_seconds", "System time in seconds since epoch (1970).", seconds);
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&t, &local);
    sink.gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
               static_cast<double>(local.tm_gmtoff),
               {{"time_zone", local.tm_zone != nullptr ? local.tm_zone : ""}});
    collect_clocksources(sink);
  }

 private:
  // The kernel registers its clocksource devices (one, clocksource0) at boot and never removes
  // them, so the listing is kept; it is taken again when a kept device has gone (another sysfs
  // tree under the same path).
  void list_devices(const std::string& base) {
    devices_.clear();
    files_.clear();
    int err = 0;
    for_each_entry(
        base,
        [&](const DirEntry& e) {
          if (e.name.starts_with("clocksource") && parse_uint(e.name.substr(11))) {
            devices_.emplace_back(e.name);
          }
        },
        err);
    std::sort(devices_.begin(), devices_.end());
  }

  // Reads each kept device's two files; false when a device's directory is not there.
  bool read_devices(const std::string& base) {
    if (files_.size() != devices_.size()) {
      files_.clear();
      for (const auto& d : devices_) {
        files_.push_back({KeptFile(base + "/" + d + "/available_clocksource", ReadEnd::kShortRead),
                          KeptFile(base + "/" + d + "/current_clocksource", ReadEnd::kShortRead)});
      }
    }
    for (auto& [available, current] : files_) {
      int err = 0;
      if (!available.read(err) && (err == ENOENT || err == ENOTDIR)) return false;
      current.read(err);  // a file that cannot be read is left empty
    }
    return true;
  }

  void collect_clocksources(MetricSink& sink) {
    std::string base = paths_.sys("devices/system/clocksource");
    if (devices_.empty() || !read_devices(base)) {
      list_devices(base);
      if (!read_devices(base)) return;
    }
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      std::string device = devices_[i].substr(11);
      const std::string& available = files_[i].first.text();
      const std::string& current = files_[i].second.text();
      // Each name once: a duplicate series would fail the whole family's validation. A file
      // that could not be read was left empty.
      std::set<std::string_view> sources;
      for (auto source : split_fields(available)) {
        if (valid_clocksource_name(source)) sources.insert(source);
      }
      for (auto source : sources) {
        sink.gauge("node_time_clocksource_available_info",
                   "Available clocksources read from '/sys/devices/system/clocksource'.", 1,
                   {{"clocksource", std::string(source)}, {"device", device}});
      }
      auto source = trim(current);
      if (valid_clocksource_name(source)) {
        sink.gauge("node_time_clocksource_current_info",
                   "Current clocksource read from '/sys/devices/system/clocksource'.", 1,
                   {{"clocksource", std::string(source)}, {"device", device}});
      }
    }
  }

  std::vector<std::string> devices_;                  // "clocksource0", ...
  std::vector<std::pair<KeptFile, KeptFile>> files_;  // available, current; one per device
};

}  // namespace

std::unique_ptr<Collector> make_time_collector() { return std::make_unique<TimeCollector>(); }

}  // namespace nodeprobe

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
  // One clocksource device (clocksourceN) and its two files, kept open.
  struct Device {
    std::string id;  // N
    KeptFile available, current;
  };

  // The kernel registers its clocksource devices (one, clocksource0) at boot and never removes
  // them, so the listing is kept; it is taken again when a kept device has gone (another sysfs
  // tree under the same path).
  void list_devices(const std::string& base) {
    std::vector<std::string> names;
    int err = 0;
    for_each_entry(
        base,
        [&](const DirEntry& e) {
          if (e.name.starts_with("clocksource") && parse_uint(e.name.substr(11))) {
            names.emplace_back(e.name);
          }
        },
        err);
    std::sort(names.begin(), names.end());
    devices_.clear();
    for (const auto& name : names) {
      std::string dir = base + "/" + name;
      devices_.push_back({name.substr(11),
                          KeptFile(dir + "/available_clocksource", ReadEnd::kShortRead),
                          KeptFile(dir + "/current_clocksource", ReadEnd::kShortRead)});
    }
  }

  // Reads each kept device's two files; false when a device's directory is not there.
  bool read_devices() {
    for (auto& d : devices_) {
      int err = 0;
      if (!d.available.read(err) && (err == ENOENT || err == ENOTDIR)) return false;
      d.current.read(err);  // a file that cannot be read is left empty
    }
    return true;
  }

  void collect_clocksources(MetricSink& sink) {
    if (devices_.empty() || !read_devices()) {
      list_devices(paths_.sys("devices/system/clocksource"));
      if (!read_devices()) return;
    }
    for (const auto& d : devices_) {
      // Each name once: a duplicate series would fail the whole family's validation. A file
      // that could not be read was left empty.
      std::set<std::string_view> sources;
      for (auto source : split_fields(d.available.text())) {
        if (valid_clocksource_name(source)) sources.insert(source);
      }
      for (auto source : sources) {
        sink.gauge("node_time_clocksource_available_info",
                   "Available clocksources read from '/sys/devices/system/clocksource'.", 1,
                   {{"clocksource", std::string(source)}, {"device", d.id}});
      }
      auto source = trim(d.current.text());
      if (valid_clocksource_name(source)) {
        sink.gauge("node_time_clocksource_current_info",
                   "Current clocksource read from '/sys/devices/system/clocksource'.", 1,
                   {{"clocksource", std::string(source)}, {"device", d.id}});
      }
    }
  }

  std::vector<Device> devices_;
};

}  // namespace

std::unique_ptr<Collector> make_time_collector() { return std::make_unique<TimeCollector>(); }

}  // namespace nodeprobe

// node_time_seconds, node_time_zone_offset_seconds and the clock source info families.
#include <dirent.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <memory>
#include <set>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

// Clock source names are identifiers, a few with a dash ("tsc", "acpi_pm", "kvm-clock",
// "arch_sys_counter"); anything else in these files is not a name.
bool valid_clocksource_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
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
  void collect_clocksources(MetricSink& sink) {
    std::string base = paths_.sys("devices/system/clocksource");
    DIR* dir = ::opendir(base.c_str());
    if (dir == nullptr) return;  // no clock source directory: nothing to report
    std::vector<std::string> devices;
    while (auto* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name.starts_with("clocksource") && parse_uint(name.substr(11))) {
        devices.emplace_back(name);
      }
    }
    ::closedir(dir);
    for (const auto& d : devices) {
      std::string device = d.substr(11);
      std::string text;
      int err = 0;
      if (try_read_file(base + "/" + d + "/available_clocksource", text, err)) {
        // Each name once: a duplicate series would fail the whole family's validation.
        std::set<std::string_view> sources;
        for (auto source : split_fields(text)) {
          if (valid_clocksource_name(source)) sources.insert(source);
        }
        for (auto source : sources) {
          sink.gauge("node_time_clocksource_available_info",
                     "Available clocksources read from '/sys/devices/system/clocksource'.", 1,
                     {{"clocksource", std::string(source)}, {"device", device}});
        }
      }
      if (try_read_file(base + "/" + d + "/current_clocksource", text, err)) {
        auto source = trim(text);
        if (valid_clocksource_name(source)) {
          sink.gauge("node_time_clocksource_current_info",
                     "Current clocksource read from '/sys/devices/system/clocksource'.", 1,
                     {{"clocksource", std::string(source)}, {"device", device}});
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_time_collector() { return std::make_unique<TimeCollector>(); }

}  // namespace nodeprobe

// node_rapl_*_joules_total from /sys/class/powercap/<zone>/energy_uj
// (Documentation/power/powercap/powercap.rst).
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

struct RaplZone {
  std::string name;
  std::int64_t index = 0;
  std::string path;
};

// procfs's getIndexAndName: "package-1" is zone "package" index 1; a name without an index
// ("dram", "psys") takes how many times it was seen before.
void name_and_index(std::map<std::string, std::int64_t>& seen, const std::string& raw,
                    RaplZone& zone) {
  auto parts = split(raw, '-');
  if (parts.size() == 2) {
    if (auto index = parse_int(parts[1])) {
      zone.name = std::string(parts[0]), zone.index = *index;
      return;
    }
  }
  zone.name = raw, zone.index = seen[raw];
}

// client_golang's SanitizeMetricName as node_exporter applies it to the zone name.
std::string sanitize(std::string s) {
  for (auto& c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':';
    if (!ok) c = '_';
  }
  return s;
}

// Kernel 5.10 made energy_uj readable by root only (CVE-2020-8694); node_exporter answers
// ErrNoData for that, and for a host without powercap.
[[noreturn]] void fail(const std::string& path, int err, bool missing_is_absent) {
  if (err == EACCES || err == EPERM || (missing_is_absent && err == ENOENT)) {
    throw FeatureAbsent(path + ": " + std::strerror(err));
  }
  throw FileError(path, err);
}

std::uint64_t read_uint(const std::string& path, bool missing_is_absent) {
  int err = 0;
  auto text = read_attribute(path, err);
  if (!text) fail(path, err, missing_is_absent);
  auto v = parse_uint(*text);
  if (!v) throw std::runtime_error(path + ": not an unsigned integer");
  return *v;
}

class RaplCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.flag("enable-zone-label", zone_label_, "Enables RAPL zone labels");
  }

  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/powercap");
    int err = 0;
    auto entries = list_directory(base, err);
    if (!entries) fail(base, err, true);
    std::vector<RaplZone> zones;
    std::map<std::string, std::int64_t> seen;
    for (const auto& entry : *entries) {
      auto dir = base + "/" + entry;
      auto name = read_attribute(dir + "/name", err);
      if (!name) continue;  // the control type directory ("intel-rapl") has no name
      RaplZone zone;
      name_and_index(seen, *name, zone);
      zone.path = dir;
      read_uint(dir + "/max_energy_range_uj", true);  // procfs requires it
      seen[zone.name] = zone.index + 1;
      zones.push_back(std::move(zone));
    }
    for (const auto& zone : zones) {
      double joules = static_cast<double>(read_uint(zone.path + "/energy_uj", false)) / 1e6;
      Labels labels = {{"index", std::to_string(zone.index)}, {"path", zone.path}};
      if (zone_label_) {
        labels.push_back({"rapl_zone", zone.name});
        sink.counter("node_rapl_joules_total", "Current RAPL value in joules", joules, labels);
      } else {
        sink.counter("node_rapl_" + sanitize(zone.name) + "_joules_total",
                     "Current RAPL " + zone.name + " value in joules", joules, labels);
      }
    }
  }

 private:
  bool zone_label_ = false;
};

}  // namespace

std::unique_ptr<Collector> make_rapl_collector() { return std::make_unique<RaplCollector>(); }

}  // namespace nodeprobe

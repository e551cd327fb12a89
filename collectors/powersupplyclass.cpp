// node_power_supply_* from /sys/class/power_supply (Documentation/ABI/testing/
// sysfs-class-power): batteries, AC adapters, USB and UPS supplies.
#include <re2/re2.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

struct NumericAttribute {
  std::string_view file;
  std::string_view metric;  // node_power_supply_<metric>
  double divisor;           // µA, µV, µWh, µW -> base units; tenths of °C -> °C
};

// node_exporter's families; the attributes it reads but does not export (the *_avg ones) are
// left out here too.
constexpr NumericAttribute kNumeric[] = {
    {"authentic", "authentic", 1},
    {"calibrate", "calibrate", 1},
    {"capacity", "capacity", 1},
    {"capacity_alert_max", "capacity_alert_max", 1},
    {"capacity_alert_min", "capacity_alert_min", 1},
    {"cycle_count", "cyclecount", 1},
    {"online", "online", 1},
    {"present", "present", 1},
    {"time_to_empty_now", "time_to_empty_seconds", 1},
    {"time_to_full_now", "time_to_full_seconds", 1},
    {"current_boot", "current_boot", 1e6},
    {"current_max", "current_max", 1e6},
    {"current_now", "current_ampere", 1e6},
    {"energy_empty", "energy_empty", 1e6},
    {"energy_empty_design", "energy_empty_design", 1e6},
    {"energy_full", "energy_full", 1e6},
    {"energy_full_design", "energy_full_design", 1e6},
    {"energy_now", "energy_watthour", 1e6},
    {"voltage_boot", "voltage_boot", 1e6},
    {"voltage_max", "voltage_max", 1e6},
    {"voltage_max_design", "voltage_max_design", 1e6},
    {"voltage_min", "voltage_min", 1e6},
    {"voltage_min_design", "voltage_min_design", 1e6},
    {"voltage_now", "voltage_volt", 1e6},
    {"voltage_ocv", "voltage_ocv", 1e6},
    {"charge_control_limit", "charge_control_limit", 1e6},
    {"charge_control_limit_max", "charge_control_limit_max", 1e6},
    {"charge_counter", "charge_counter", 1e6},
    {"charge_empty", "charge_empty", 1e6},
    {"charge_empty_design", "charge_empty_design", 1e6},
    {"charge_full", "charge_full", 1e6},
    {"charge_full_design", "charge_full_design", 1e6},
    {"charge_now", "charge_ampere", 1e6},
    {"charge_term_current", "charge_term_current", 1e6},
    {"constant_charge_current", "constant_charge_current", 1e6},
    {"constant_charge_current_max", "constant_charge_current_max", 1e6},
    {"constant_charge_voltage", "constant_charge_voltage", 1e6},
    {"constant_charge_voltage_max", "constant_charge_voltage_max", 1e6},
    {"precharge_current", "precharge_current", 1e6},
    {"input_current_limit", "input_current_limit", 1e6},
    {"power_now", "power_watt", 1e6},
    {"temp", "temp_celsius", 10},
    {"temp_alert_max", "temp_alert_max_celsius", 10},
    {"temp_alert_min", "temp_alert_min_celsius", 10},
    {"temp_ambient", "temp_ambient_celsius", 10},
    {"temp_ambient_max", "temp_ambient_max_celsius", 10},
    {"temp_ambient_min", "temp_ambient_min_celsius", 10},
    {"temp_max", "temp_max_celsius", 10},
    {"temp_min", "temp_min_celsius", 10},
};

// Text attributes that become labels of node_power_supply_info (label = file name).
constexpr std::string_view kInfo[] = {"capacity_level", "charge_type",   "health", "manufacturer",
                                      "model_name",     "serial_number", "status", "technology",
                                      "type",           "usb_type",      "scope"};

class PowerSupplyClassCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    // node_exporter's flag group is "powersupply", not the collector's name.
    auto group = b.under("powersupply");
    flag_ = group.flag_name("ignored-supplies");
    group.option("ignored-supplies", ignored_,
                 "Regexp of power supplies to ignore for powersupplyclass collector.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    ignored_re_ = std::make_unique<RE2>(ignored_, RE2::Quiet);
    if (!ignored_re_->ok()) throw ConfigError(flag_, "invalid regex: " + ignored_re_->error());
  }

  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/power_supply");
    int err = 0;
    auto supplies = list_directory(base, err);
    if (!supplies) {
      if (err == ENOENT || err == ENOTDIR) throw FeatureAbsent(base + ": no power supply class");
      throw FileError(base, err);
    }
    for (const auto& supply : *supplies) {
      if (RE2::PartialMatch(supply, *ignored_re_)) continue;
      auto dir = base + "/" + supply;
      struct stat st;
      if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      collect_supply(sink, dir, supply);
    }
  }

 private:
  static void collect_supply(MetricSink& sink, const std::string& dir, const std::string& supply) {
    int err = 0;
    auto files = list_directory(dir, err);
    if (!files) throw FileError(dir, err);
    Labels labels = {{"power_supply", supply}};
    Labels info = {{"power_supply", supply}};
    for (const auto& file : *files) {
      const NumericAttribute* numeric = nullptr;
      for (const auto& n : kNumeric) {
        if (n.file == file) numeric = &n;
      }
      bool is_info = std::find(std::begin(kInfo), std::end(kInfo), file) != std::end(kInfo);
      if (numeric == nullptr && !is_info) continue;

      auto path = dir + "/" + file;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      auto value = read_attribute(path, err);
      if (!value) {
        // Drivers refuse attributes they cannot answer now: EINVAL, ENODEV, EOPNOTSUPP as
        // prometheus/procfs tolerates them, and ENODATA (a battery gauge between readings).
        if (err == ENOENT || err == EINVAL || err == ENODEV || err == EOPNOTSUPP ||
            err == ENODATA) {
          continue;
        }
        throw FileError(path, err);
      }
      if (is_info) {
        if (!value->empty()) info.push_back({file, std::move(*value)});
        continue;
      }
      auto v = parse_sysfs_int(*value);
      if (!v) throw std::runtime_error(path + ": not an integer");
      std::string metric(numeric->metric);
      sink.gauge("node_power_supply_" + metric,
                 metric + " value of /sys/class/power_supply/<power_supply>.",
                 static_cast<double>(*v) / numeric->divisor, labels);
    }
    sink.gauge("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", 1,
               std::move(info));
  }

  std::string ignored_ = "^$";
  std::string flag_;
  std::unique_ptr<RE2> ignored_re_;
};

}  // namespace

std::unique_ptr<Collector> make_powersupplyclass_collector() {
  return std::make_unique<PowerSupplyClassCollector>();
}

}  // namespace nodeprobe

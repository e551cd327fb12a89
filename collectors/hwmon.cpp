// node_hwmon_* from /sys/class/hwmon/hwmon<N> (Documentation/hwmon/sysfs-interface.rst), named
// and shaped as node_exporter names them so that its dashboards work unchanged.
#include "collectors/hwmon.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {

std::optional<HwmonAttributeName> parse_hwmon_attribute_name(std::string_view name) {
  // node_exporter's expression; RE2 and Go's regexp pick the same submatches (leftmost-first).
  // Latin-1 so that any byte counts as one character and odd names cannot fail the match.
  static const RE2 format("([^0-9]+)([0-9]*)?(_(.+))?", [] {
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_log_errors(false);
    return o;
  }());
  std::string type, number, property;
  if (!RE2::FullMatch(name, format, &type, &number, nullptr, &property)) return std::nullopt;
  HwmonAttributeName out{std::move(type), 0, std::move(property)};
  if (!number.empty()) {
    auto n = parse_uint(number);
    if (!n || *n > 0x7fffffff) return std::nullopt;
    out.number = static_cast<int>(*n);
  }
  return out;
}

std::string clean_hwmon_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_multibyte = false;
  for (unsigned char c : name) {
    // Go replaces each character, not each byte: a UTF-8 sequence becomes one "_".
    if (c >= 0x80 && c < 0xc0 && in_multibyte) continue;
    in_multibyte = c >= 0xc0;
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_';
    out.push_back(keep ? static_cast<char>(c) : '_');
  }
  auto first = out.find_first_not_of('_');
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of('_') - first + 1);
}

namespace {

// Sensor ("temp1") -> property ("input", "max", "" for a bare "temp1") -> raw value.
using SensorData = std::map<std::string, std::map<std::string, std::string>>;

constexpr std::array<std::string_view, 14> kSensorTypes = {
    "vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",       "pwm",
    "temp", "curr",        "power",           "energy", "humidity", "intrusion", "freq"};

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string resolved(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return "";
  std::string out = real;
  std::free(real);
  return out;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class Filter {
 public:
  void compile(const std::string& flag_exclude, const std::string& exclude,
               const std::string& flag_include, const std::string& include) {
    exclude_ = make(flag_exclude, exclude);
    include_ = make(flag_include, include);
  }
  // node_exporter's deviceFilter: excluded when the exclude pattern matches or the include
  // pattern does not; Go's MatchString finds the pattern anywhere, as PartialMatch does.
  bool ignored(const std::string& s) const {
    return (exclude_ && RE2::PartialMatch(s, *exclude_)) ||
           (include_ && !RE2::PartialMatch(s, *include_));
  }

 private:
  static std::unique_ptr<RE2> make(const std::string& flag, const std::string& pattern) {
    if (pattern.empty()) return nullptr;
    auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
    if (!re->ok()) throw ConfigError(flag, "invalid regex: " + re->error());
    return re;
  }
  std::unique_ptr<RE2> exclude_, include_;
};

class HwmonCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    flags_ = {b.flag_name("chip-exclude"), b.flag_name("chip-include"),
              b.flag_name("sensor-exclude"), b.flag_name("sensor-include")};
    b.option("chip-include", chip_include_,
             "Regexp of hwmon chip to include (mutually exclusive to device-exclude).");
    b.option("chip-exclude", chip_exclude_,
             "Regexp of hwmon chip to exclude (mutually exclusive to device-include).");
    b.option("sensor-include", sensor_include_,
             "Regexp of hwmon sensor to include (mutually exclusive to sensor-exclude).");
    b.option("sensor-exclude", sensor_exclude_,
             "Regexp of hwmon sensor to exclude (mutually exclusive to sensor-include).");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    chips_.compile(flags_[0], chip_exclude_, flags_[1], chip_include_);
    sensors_.compile(flags_[2], sensor_exclude_, flags_[3], sensor_include_);
  }

  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/hwmon");
    int err = 0;
    auto entries = list_directory(base, err);
    if (!entries) {
      if (err == ENOENT) throw FeatureAbsent(base + ": no hardware monitors on this host");
      throw FileError(base, err);
    }
    // Like node_exporter, one bad chip fails the scrape but does not stop the others.
    std::string last_error;
    for (const auto& entry : *entries) {
      auto dir = base + "/" + entry;
      struct stat st;
      if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      try {
        collect_chip(sink, dir);
      } catch (const std::exception& e) {
        last_error = e.what();
      }
    }
    if (!last_error.empty()) throw std::runtime_error(last_error);
  }

 private:
  void collect_chip(MetricSink& sink, const std::string& dir) {
    auto chip = chip_name(dir);
    if (chips_.ignored(chip)) return;

    SensorData data;
    read_sensor_files(dir, data);
    // Older drivers keep their attributes on the device rather than the hwmon node.
    if (exists(dir + "/device")) read_sensor_files(dir + "/device", data);

    std::string raw_name;
    int err = 0;
    if (try_read_file(dir + "/name", raw_name, err)) {
      auto chip_type = clean_hwmon_name(raw_name);
      if (!chip_type.empty()) {
        sink.gauge("node_hwmon_chip_names", "Annotation metric for human-readable chip names", 1,
                   {{"chip", chip}, {"chip_name", chip_type}});
      }
    }

    for (const auto& [sensor, properties] : data) {
      // "platform_coretemp_0;temp3" selects one sensor of one chip, as in node_exporter.
      if (sensors_.ignored(chip + ";" + sensor)) continue;
      collect_sensor(sink, chip, sensor, properties);
    }
  }

  static void read_sensor_files(const std::string& dir, SensorData& data) {
    int err = 0;
    auto files = list_directory(dir, err);
    if (!files) throw FileError(dir, err);
    for (const auto& file : *files) {
      auto parsed = parse_hwmon_attribute_name(file);
      if (!parsed) continue;
      if (std::find(kSensorTypes.begin(), kSensorTypes.end(), parsed->type) == kSensorTypes.end()) {
        continue;
      }
      // An attribute that cannot be read now (a driver returning EAGAIN or EIO, a write-only
      // file) is left out, as node_exporter leaves it out.
      auto value = read_attribute(dir + "/" + file, err);
      if (!value) continue;
      data[parsed->type + std::to_string(parsed->number)][parsed->property] = std::move(*value);
    }
  }

  static void collect_sensor(MetricSink& sink, const std::string& chip, const std::string& sensor,
                             const std::map<std::string, std::string>& properties) {
    auto type = parse_hwmon_attribute_name(sensor)->type;  // keys are "<type><number>"
    Labels labels = {{"chip", chip}, {"sensor", sensor}};
    auto label = properties.find("label");
    if (label != properties.end()) {
      sink.gauge("node_hwmon_sensor_label", "Label for given chip and sensor", 1,
                 {{"chip", chip}, {"sensor", sensor}, {"label", label->second}});
    }
    auto bare = properties.find("");
    if (type == "beep_enable") {
      double on = bare != properties.end() && bare->second == "1" ? 1 : 0;
      sink.gauge("node_hwmon_beep_enabled", "Hardware beep enabled", on, labels);
      return;
    }
    if (type == "vrm" || type == "update_interval") {
      auto v = bare == properties.end() ? std::nullopt : parse_double(bare->second);
      if (!v) return;
      if (type == "vrm") {
        sink.gauge("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", *v,
                   labels);
      } else {
        sink.gauge("node_hwmon_update_interval_seconds", "Hardware monitor update interval",
                   *v * 0.001, labels);
      }
      return;
    }

    const std::string prefix = "node_hwmon_" + type;
    for (const auto& [element, text] : properties) {
      if (element == "label") continue;
      std::string name = prefix;
      if (element == "input") {
        // "temp1_input" is the value itself, unless a bare "temp1" holds it.
        if (bare != properties.end()) name += "_input";
      } else if (!element.empty()) {
        name += "_" + clean_hwmon_name(element);
      }
      auto value = parse_double(text);
      if (!value) continue;
      double v = *value;

      if (element == "fault" || element == "alarm") {
        sink.gauge(name, "Hardware sensor " + element + " status (" + type + ")", v, labels);
      } else if (element == "beep") {
        sink.gauge(name + "_enabled", "Hardware monitor sensor has beeping enabled", v, labels);
      } else if (type == "in" || type == "cpu") {
        sink.gauge(name + "_volts", "Hardware monitor for voltage (" + element + ")", v * 0.001,
                   labels);
      } else if (type == "temp" && element != "type") {
        sink.gauge(
            name + "_celsius",
            "Hardware monitor for temperature (" + (element.empty() ? "input" : element) + ")",
            v * 0.001, labels);
      } else if (type == "curr") {
        sink.gauge(name + "_amps", "Hardware monitor for current (" + element + ")", v * 0.001,
                   labels);
      } else if (type == "energy") {
        sink.counter(name + "_joule_total",
                     "Hardware monitor for joules used so far (" + element + ")", v / 1e6, labels);
      } else if (type == "power" && element == "accuracy") {
        sink.gauge(name, "Hardware monitor power meter accuracy, as a ratio", v / 1e6, labels);
      } else if (type == "power" &&
                 (element == "average_interval" || element == "average_interval_min" ||
                  element == "average_interval_max")) {
        sink.gauge(name + "_seconds",
                   "Hardware monitor power usage update interval (" + element + ")", v * 0.001,
                   labels);
      } else if (type == "power") {
        sink.gauge(name + "_watt", "Hardware monitor for power usage in watts (" + element + ")",
                   v / 1e6, labels);
      } else if (type == "humidity") {
        sink.gauge(name,
                   "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the "
                   "humidity as a percentage) (" +
                       element + ")",
                   v / 1e6, labels);
      } else if (type == "fan" && (element == "input" || element == "min" || element == "max" ||
                                   element == "target")) {
        sink.gauge(name + "_rpm",
                   "Hardware monitor for fan revolutions per minute (" + element + ")", v, labels);
      } else if (type == "freq" && element == "input") {
        // GPU clocks (amdgpu's freq1 "sclk"): node_exporter puts the label in place of the
        // sensor and reports MHz; without a label there is nothing to report.
        if (label != properties.end()) {
          sink.gauge(name + "_freq_mhz", "Hardware monitor for GPU frequency in MHz", v / 1e6,
                     {{"chip", chip}, {"sensor", clean_hwmon_name(label->second)}});
        }
      } else {
        sink.gauge(name, "Hardware monitor " + type + " element " + element, v, labels);
      }
    }
  }

  // node_exporter's chip naming, stable across reboots where the hwmon number is not: the
  // device's bus and name from the "device" link ("platform_coretemp_0"), else the driver's
  // "name" attribute, else the hwmon directory itself ("hwmon3").
  static std::string chip_name(const std::string& dir) {
    auto device = resolved(dir + "/device");
    if (!device.empty()) {
      auto slash = device.find_last_of('/');
      auto dev_name = clean_hwmon_name(device.substr(slash + 1));
      auto parent = device.substr(0, slash);
      auto dev_type = clean_hwmon_name(base_name(parent));
      if (!dev_type.empty() && !dev_name.empty()) return dev_type + "_" + dev_name;
      if (!dev_name.empty()) return dev_name;
    }
    std::string raw_name;
    int err = 0;
    if (try_read_file(dir + "/name", raw_name, err)) {
      auto name = clean_hwmon_name(raw_name);
      if (!name.empty()) return name;
    }
    auto name = clean_hwmon_name(base_name(resolved(dir)));
    if (name.empty()) throw std::runtime_error("could not derive a monitoring name for " + dir);
    return name;
  }

  std::string chip_include_, chip_exclude_, sensor_include_, sensor_exclude_;
  std::array<std::string, 4> flags_;
  Filter chips_, sensors_;
};

}  // namespace

std::unique_ptr<Collector> make_hwmon_collector() { return std::make_unique<HwmonCollector>(); }

}  // namespace nodeprobe

// node_watchdog_* from /sys/class/watchdog (Documentation/ABI/testing/sysfs-class-watchdog).
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

struct NumericAttribute {
  const char* file;
  const char* name;
  const char* help;
};

constexpr NumericAttribute kNumeric[] = {
    {"bootstatus", "node_watchdog_bootstatus",
     "Value of /sys/class/watchdog/<watchdog>/bootstatus"},
    {"fw_version", "node_watchdog_fw_version",
     "Value of /sys/class/watchdog/<watchdog>/fw_version"},
    {"nowayout", "node_watchdog_nowayout", "Value of /sys/class/watchdog/<watchdog>/nowayout"},
    {"timeleft", "node_watchdog_timeleft_seconds",
     "Value of /sys/class/watchdog/<watchdog>/timeleft"},
    {"timeout", "node_watchdog_timeout_seconds", "Value of /sys/class/watchdog/<watchdog>/timeout"},
    {"pretimeout", "node_watchdog_pretimeout_seconds",
     "Value of /sys/class/watchdog/<watchdog>/pretimeout"},
    {"access_cs0", "node_watchdog_access_cs0",
     "Value of /sys/class/watchdog/<watchdog>/access_cs0"},
};

// Text attributes that label node_watchdog_info; an absent one is an empty label value.
constexpr const char* kInfo[] = {"options", "identity", "state", "status", "pretimeout_governor"};

// node_exporter reports no data when the class or a device cannot be listed or read.
bool absent_error(int err) {
  return err == ENOENT || err == EACCES || err == EPERM || err == EINVAL;
}

class WatchdogCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto base = paths_.sys("class/watchdog");
    int err = 0;
    auto devices = list_directory(base, err);
    if (!devices) {
      if (absent_error(err) || err == ENOTDIR) {
        throw FeatureAbsent(base + ": no watchdog class");
      }
      throw FileError(base, err);
    }
    for (const auto& device : *devices) {
      auto dir = base + "/" + device;
      struct stat st;
      if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      collect_device(sink, dir, device);
    }
  }

 private:
  static std::optional<std::string> attribute(const std::string& path) {
    int err = 0;
    auto text = read_attribute(path, err);
    if (text || err == ENOENT) return text;  // drivers provide a subset of the attributes
    if (absent_error(err)) throw FeatureAbsent(path + ": unreadable");
    throw FileError(path, err);
  }

  static void collect_device(MetricSink& sink, const std::string& dir, const std::string& name) {
    Labels labels = {{"name", name}};
    for (const auto& a : kNumeric) {
      auto text = attribute(dir + "/" + a.file);
      if (!text) continue;
      auto v = parse_sysfs_int(*text);
      if (!v) throw std::runtime_error(dir + "/" + a.file + ": not an integer");
      sink.gauge(a.name, a.help, static_cast<double>(*v), labels);
    }
    Labels info = {{"name", name}};
    for (const char* file : kInfo) {
      info.push_back({file, attribute(dir + "/" + file).value_or("")});
    }
    sink.gauge("node_watchdog_info", "Info of /sys/class/watchdog/<watchdog>", 1, std::move(info));
  }
};

}  // namespace

std::unique_ptr<Collector> make_watchdog_collector() {
  return std::make_unique<WatchdogCollector>();
}

}  // namespace nodeprobe

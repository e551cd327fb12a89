// node_cpu_*frequency* and node_cpu_scaling_governor from
// /sys/devices/system/cpu/cpu<N>/cpufreq (Documentation/admin-guide/pm/cpufreq.rst).
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

struct FrequencyFamily {
  const char* attribute;
  const char* name;
  const char* help;
};

// sysfs gives kHz; node_exporter exports hertz.
constexpr FrequencyFamily kFrequencies[] = {
    {"cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current cpu thread frequency in hertz."},
    {"cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz."},
    {"cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz."},
    {"scaling_cur_freq", "node_cpu_scaling_frequency_hertz",
     "Current scaled CPU thread frequency in hertz."},
    {"scaling_min_freq", "node_cpu_scaling_frequency_min_hertz",
     "Minimum scaled CPU thread frequency in hertz."},
    {"scaling_max_freq", "node_cpu_scaling_frequency_max_hertz",
     "Maximum scaled CPU thread frequency in hertz."},
};

class CpufreqCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto base = paths_.sys("devices/system/cpu");
    int err = 0;
    auto entries = list_directory(base, err);
    if (!entries) {
      if (err == ENOENT) throw FeatureAbsent(base + ": not present");
      throw FileError(base, err);
    }
    for (const auto& entry : *entries) {
      std::string_view name = entry;
      if (!name.starts_with("cpu") || !parse_uint(name.substr(3))) continue;
      // CPUs without a cpufreq directory (no driver, or a VM) are left out, as node_exporter
      // leaves them out: one lookup instead of seven failed opens per CPU, which on a VM with
      // many vCPUs is most of this collector's cost.
      std::string dir = base + "/" + entry + "/cpufreq";
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0 && errno == ENOENT) continue;
      collect_cpu(sink, dir, entry.substr(3));
    }
  }

 private:
  static void collect_cpu(MetricSink& sink, const std::string& dir, const std::string& cpu) {
    Labels labels = {{"cpu", cpu}};
    for (const auto& f : kFrequencies) {
      auto text = attribute(dir + "/" + f.attribute);
      if (!text) continue;
      auto khz = parse_uint(*text);
      if (!khz) throw std::runtime_error(dir + "/" + f.attribute + ": not an unsigned integer");
      sink.gauge(f.name, f.help, static_cast<double>(*khz) * 1000.0, labels);
    }
    auto governor = attribute(dir + "/scaling_governor");
    if (!governor || governor->empty()) return;
    auto available = attribute(dir + "/scaling_available_governors").value_or("");
    for (auto g : split_fields(available)) {
      sink.gauge("node_cpu_scaling_governor", "Current enabled CPU frequency governor.",
                 g == *governor ? 1 : 0, {{"cpu", cpu}, {"governor", std::string(g)}});
    }
  }

  // An optional attribute: missing, or root-only (cpuinfo_cur_freq is mode 0400), means no
  // value, as in node_exporter; any other read error fails the scrape.
  static std::optional<std::string> attribute(const std::string& path) {
    int err = 0;
    auto text = read_attribute(path, err);
    if (!text && err != ENOENT && err != ENOTDIR && err != EACCES && err != EPERM) {
      throw FileError(path, err);
    }
    return text;
  }
};

}  // namespace

std::unique_ptr<Collector> make_cpufreq_collector() { return std::make_unique<CpufreqCollector>(); }

}  // namespace nodeprobe

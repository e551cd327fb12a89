// node_cpu_seconds_total and node_cpu_guest_seconds_total from /proc/stat, the thermal throttle
// counters from sysfs, and (with --collector.cpu.info) node_cpu_info and the flag/bug info
// families from /proc/cpuinfo.
#include "collectors/cpu.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/logging.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/cpuinfo.h"

namespace nodeprobe {

std::vector<CpuTimes> parse_proc_stat_cpus(std::string_view text, double user_hz) {
  std::vector<CpuTimes> out;
  for_each_line(text, [&](std::string_view line) {
    if (!line.starts_with("cpu") || line.size() < 4 || line[3] < '0' || line[3] > '9') return;
    auto fields = split_fields(line);
    // Kernels before 2.6.33 lack guest_nice and before 2.6.24 guest; at least 8 values.
    if (fields.size() < 9) return;
    CpuTimes t;
    t.cpu = std::string(fields[0].substr(3));
    if (!parse_uint(t.cpu)) return;
    for (std::size_t i = 0; i < t.seconds.size() && i + 1 < fields.size(); ++i) {
      auto ticks = parse_uint(fields[i + 1]);
      if (!ticks) return;
      t.seconds[i] = static_cast<double>(*ticks) / user_hz;
    }
    out.push_back(std::move(t));
  });
  return out;
}

void CpuCounterGuard::apply(std::vector<CpuTimes>& current) {
  constexpr std::size_t kIdle = 3;
  std::unordered_map<std::string, std::array<double, 10>> seen;
  for (auto& now : current) {
    auto before = last_.find(now.cpu);
    if (before != last_.end() &&
        before->second[kIdle] - now.seconds[kIdle] < kIdleJumpBackSeconds) {
      for (std::size_t i = 0; i < now.seconds.size(); ++i) {
        now.seconds[i] = std::max(now.seconds[i], before->second[i]);
      }
    }
    seen[now.cpu] = now.seconds;
  }
  last_ = std::move(seen);
}

namespace {

constexpr const char* kModes[] = {"user",   "nice", "system",  "idle",
                                  "iowait", "irq",  "softirq", "steal"};

std::optional<std::uint64_t> read_uint(const std::string& path) {
  std::string text;
  int err = 0;
  if (!try_read_file(path, text, err, 64, ReadEnd::kShortRead)) return std::nullopt;
  return parse_uint(trim(text));
}

class CpuCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.flag("guest", guest_, "Enables metric node_cpu_guest_seconds_total");
    b.flag("info", info_, "Enables metric cpu_info");
    flags_flag_ = b.flag_name("info.flags-include");
    bugs_flag_ = b.flag_name("info.bugs-include");
    b.option("info.flags-include", flags_include_,
             "Filter the `flags` field in cpuInfo with a value that must be a regular expression");
    b.option("info.bugs-include", bugs_include_,
             "Filter the `bugs` field in cpuInfo with a value that must be a regular expression");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    stat_ = KeptFile(paths_.proc("stat"), ReadEnd::kShortRead);
    online_ = KeptFile(paths_.sys("devices/system/cpu/online"), ReadEnd::kShortRead, 4096);
    flags_filter_ = compile(flags_include_, flags_flag_);
    bugs_filter_ = compile(bugs_include_, bugs_flag_);
    if ((flags_filter_ || bugs_filter_) && !info_) {
      // node_exporter turns the info family on for these filters too, and says so.
      info_ = true;
      log::info("--collector.cpu.info has been set to true by --collector.cpu.info.*-include");
    }
  }

  void collect(MetricSink& sink) override {
    if (info_) collect_info(sink);
    collect_times(sink);
    collect_throttles(sink);
  }

 private:
  static std::unique_ptr<RE2> compile(const std::string& pattern, const std::string& flag) {
    if (pattern.empty()) return nullptr;
    auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
    if (!re->ok()) throw ConfigError(flag, "invalid regex: " + re->error());
    return re;
  }

  void collect_info(MetricSink& sink) {
    auto path = paths_.proc("cpuinfo");
    auto cpus = parse_cpuinfo(read_file(path));
    if (cpus.empty()) throw std::runtime_error(path + ": no processor entries");
    for (const auto& c : cpus) {
      sink.gauge("node_cpu_info", "CPU information from /proc/cpuinfo.", 1,
                 {{"cachesize", c.cache_size},
                  {"core", c.core_id},
                  {"cpu", c.processor},
                  {"family", c.cpu_family},
                  {"microcode", c.microcode},
                  {"model", c.model},
                  {"model_name", c.model_name},
                  {"package", c.physical_id},
                  {"stepping", c.stepping},
                  {"vendor", c.vendor_id}});
    }
    // Like node_exporter, the flags and bugs of the first CPU stand for all of them.
    auto field_info = [&](const std::vector<std::string>& values, const RE2* filter,
                          const char* name, const char* help, const char* label) {
      if (filter == nullptr) return;
      for (const auto& v : values) {
        if (RE2::PartialMatch(v, *filter)) sink.gauge(name, help, 1, {{label, v}});
      }
    };
    field_info(cpus[0].flags, flags_filter_.get(), "node_cpu_flag_info",
               "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
               "flag");
    field_info(cpus[0].bugs, bugs_filter_.get(), "node_cpu_bug_info",
               "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
               "bug");
  }

  void collect_times(MetricSink& sink) {
    auto cpus = parse_proc_stat_cpus(stat_.read());
    if (cpus.empty()) throw std::runtime_error(stat_.path() + ": no per-CPU lines");
    guard_.apply(cpus);
    for (const auto& t : cpus) {
      for (std::size_t m = 0; m < std::size(kModes); ++m) {
        sink.counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", t.seconds[m],
                     {{"cpu", t.cpu}, {"mode", kModes[m]}});
      }
      if (guest_) {
        // Guest time is already included in user time; these are for telling them apart.
        sink.counter("node_cpu_guest_seconds_total",
                     "Seconds the CPUs spent in guests (VMs) for each mode.", t.seconds[8],
                     {{"cpu", t.cpu}, {"mode", "user"}});
        sink.counter("node_cpu_guest_seconds_total",
                     "Seconds the CPUs spent in guests (VMs) for each mode.", t.seconds[9],
                     {{"cpu", t.cpu}, {"mode", "nice"}});
      }
    }
  }

  // thermal_throttle/ exists on x86 with the therm_throt driver. Every thread of a core shows
  // its core's count and every thread of a package its package's, so each is read once (from
  // the first thread that has it). A CPU without topology is skipped, as node_exporter skips it.
  // Which file to read for which core and package only changes when CPUs come or go, so the
  // plan is kept while /sys/devices/system/cpu/online reads the same, and each scrape reads
  // just the counters (on a VM without the driver: one file instead of four per CPU).
  void collect_throttles(MetricSink& sink) {
    std::string base = paths_.sys("devices/system/cpu");
    int err = 0;
    bool have_online = online_.read(err);
    if (!have_online || online_.text() != plan_online_) {
      plan_ = plan_throttles(base);
      plan_online_ = have_online ? online_.text() : std::string();
    }
    for (const auto& t : plan_) {
      auto count = read_uint(t.path);
      if (!count) continue;
      if (t.core.empty()) {
        sink.counter("node_cpu_package_throttles_total",
                     "Number of times this CPU package has been throttled.",
                     static_cast<double>(*count), {{"package", t.package}});
      } else {
        sink.counter("node_cpu_core_throttles_total",
                     "Number of times this CPU core has been throttled.",
                     static_cast<double>(*count), {{"core", t.core}, {"package", t.package}});
      }
    }
  }

  // One counter file to read: a package's (core empty) or a core's.
  struct ThrottleFile {
    std::string path;
    std::string package, core;
  };

  static std::vector<ThrottleFile> plan_throttles(const std::string& base) {
    std::vector<std::uint64_t> cpus;
    int err = 0;
    bool listed = for_each_entry(
        base,
        [&](const DirEntry& e) {
          if (!e.name.starts_with("cpu")) return;
          if (auto n = parse_uint(e.name.substr(3))) cpus.push_back(*n);
        },
        err);
    if (!listed) return {};
    std::sort(cpus.begin(), cpus.end());
    std::map<std::uint64_t, std::string> packages;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> cores;
    for (auto n : cpus) {
      std::string cpu = base + "/cpu" + std::to_string(n);
      auto package = read_uint(cpu + "/topology/physical_package_id");
      auto core = read_uint(cpu + "/topology/core_id");
      if (!package || !core) continue;
      if (!cores.contains({*package, *core})) {
        auto path = cpu + "/thermal_throttle/core_throttle_count";
        if (read_uint(path)) cores[{*package, *core}] = path;
      }
      if (!packages.contains(*package)) {
        auto path = cpu + "/thermal_throttle/package_throttle_count";
        if (read_uint(path)) packages[*package] = path;
      }
    }
    std::vector<ThrottleFile> plan;
    for (auto& [package, path] : packages) {
      plan.push_back({std::move(path), std::to_string(package), ""});
    }
    for (auto& [key, path] : cores) {
      plan.push_back({std::move(path), std::to_string(key.first), std::to_string(key.second)});
    }
    return plan;
  }

  KeptFile stat_{""}, online_{""};
  std::vector<ThrottleFile> plan_;
  std::string plan_online_;  // what cpu/online read when plan_ was made; empty: remake each time
  bool guest_ = true;
  bool info_ = false;
  std::string flags_include_, bugs_include_;
  std::string flags_flag_, bugs_flag_;
  std::unique_ptr<RE2> flags_filter_, bugs_filter_;
  CpuCounterGuard guard_;
};

}  // namespace

std::unique_ptr<Collector> make_cpu_collector() { return std::make_unique<CpuCollector>(); }

}  // namespace nodeprobe

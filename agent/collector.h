#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/host_paths.h"
#include "agent/metric_sink.h"

namespace CLI {
class App;
}

namespace nodeprobe {

// Thrown at start-up for a bad flag value; main prints "<flag>: <problem>" and exits non-zero.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string flag, const std::string& problem)
      : std::runtime_error(flag + ": " + problem), flag_(std::move(flag)) {}
  const std::string& flag() const { return flag_; }

 private:
  std::string flag_;
};

// A duration flag's value (Go spelling, as node_exporter's: 5m, 30s, 500ms); throws ConfigError
// naming `flag` for anything else, and for zero too when `positive`.
std::chrono::nanoseconds duration_flag(const std::string& flag, const std::string& text,
                                       bool positive);

// Thrown by a collector when this host lacks what it reads (no PSI in this kernel, no such
// sysfs class). The framework reports the collector as unsuccessful, like any failure, but logs
// it as an absent feature rather than an error.
class FeatureAbsent : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Adds a collector's own options as --collector.<name>.<option> flags.
class OptionBinder {
 public:
  OptionBinder(CLI::App& app, std::string_view collector) : app_(app), prefix_("--collector.") {
    prefix_.append(collector).push_back('.');
  }
  void option(std::string_view name, std::string& target, std::string_view help);
  void option(std::string_view name, std::vector<std::string>& target, std::string_view help);
  void option(std::string_view name, double& target, std::string_view help);
  // A boolean with its --no- form, as kingpin spells booleans.
  void flag(std::string_view name, bool& target, std::string_view help);

  // The full flag name of an option, for error messages: "--collector.vmstat.fields".
  std::string flag_name(std::string_view name) const { return prefix_ + std::string(name); }

  // A binder for flags that node_exporter spells under another name than the collector's:
  // powersupplyclass's options are --collector.powersupply.*.
  OptionBinder under(std::string_view flag_group) const { return OptionBinder(app_, flag_group); }

 private:
  CLI::App& app_;
  std::string prefix_;
};

// One unit of metrics. Instances are made once at start-up; collect() is called from the
// collector's own worker thread, never concurrently with itself.
class Collector {
 public:
  virtual ~Collector() = default;

  // Registers the collector's --collector.<name>.<option> flags. Called before flags are parsed.
  virtual void add_options(OptionBinder&) {}

  // Called once after flags are parsed, for enabled collectors only: validate options, compile
  // regexes, keep the host paths. Throws ConfigError for a bad option.
  virtual void configure(const HostPaths& paths) { paths_ = paths; }

  // The per-scrape deadline (--collector.timeout), set before configure(). A collector that
  // bounds waits of its own (statfs on a hung mount) keeps them inside it, so it still reports
  // in time rather than being dropped whole by the framework.
  void set_deadline(std::chrono::milliseconds deadline) { deadline_ = deadline; }

  // Writes what the collector saw. Throws on failure (the framework catches everything) or
  // FeatureAbsent when the host lacks the feature.
  virtual void collect(MetricSink& sink) = 0;

 protected:
  HostPaths paths_;
  std::chrono::milliseconds deadline_{5000};
};

}  // namespace nodeprobe

#include "agent/flags.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "agent/parse.h"
#include "agent/registry.h"
#include "version.h"

namespace nodeprobe {
namespace {

// CLI11's help, with the collectors' flags listed with their defaults.
class Formatter : public CLI::Formatter {
 public:
  Formatter() { column_width(52); }
};

const CLI::Validator kNonNegative(
    [](std::string& v) {
      auto n = parse_double(v);
      return n && *n >= 0 ? std::string() : "must be a number >= 0, got \"" + v + "\"";
    },
    "NUMBER >= 0");

const CLI::Validator kPositive(
    [](std::string& v) {
      auto n = parse_double(v);
      return n && *n > 0 ? std::string() : "must be a number > 0, got \"" + v + "\"";
    },
    "NUMBER > 0");

// kingpin takes "--collector.netdev.device-exclude=" as "set to empty", which is how users clear
// a default regex; CLI11 reads it as a missing value. "--name=" for an option that takes a value
// becomes "--name" "". Returned in the reverse order CLI11's vector parse wants.
std::vector<std::string> split_empty_values(CLI::App& app, int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--") && arg.size() > 3 && arg.back() == '=' &&
        arg.find('=') == arg.size() - 1) {
      std::string name(arg.substr(0, arg.size() - 1));
      const CLI::Option* option = app.get_option_no_throw(name);
      if (option != nullptr && option->get_type_size() != 0) {
        args.emplace_back();
        args.push_back(std::move(name));
        continue;
      }
    }
    args.emplace_back(arg);
  }
  return args;
}

}  // namespace

std::optional<Config> parse_flags(int argc, const char* const* argv, int& exit_code) {
  exit_code = 0;
  Config config;
  CLI::App app{"nodeprobe: node metrics agent, a drop-in for node_exporter with eBPF probes.",
               "nodeprobe"};
  app.formatter(std::make_shared<Formatter>());
  app.get_formatter()->label("REQUIRED", "");
  app.option_defaults()->always_capture_default();

  app.add_option("--web.listen-address", config.server.listen_addresses,
                 "Addresses on which to expose metrics and web interface (repeatable).");
  app.add_option("--web.telemetry-path", config.server.telemetry_path,
                 "Path under which to expose metrics.");
  app.add_option("--web.max-requests", config.server.max_requests,
                 "Maximum number of parallel scrape requests; past it the answer is 503. "
                 "0 disables the limit.")
      ->check(kNonNegative);
  bool disable_exporter_metrics = false;
  app.add_flag("--web.disable-exporter-metrics", disable_exporter_metrics,
               "Exclude metrics about the exporter itself (process_*, nodeprobe_http_*).");
  app.add_option("--path.procfs", config.paths.procfs, "procfs mountpoint.");
  app.add_option("--path.sysfs", config.paths.sysfs, "sysfs mountpoint.");
  app.add_option("--path.rootfs", config.paths.rootfs, "rootfs mountpoint.");
  app.add_option("--path.udev.data", config.paths.udev_data, "udev data path.");
  double timeout_seconds = 5;
  app.add_option("--collector.timeout", timeout_seconds,
                 "Deadline for each collector in a scrape, in seconds; a collector that misses "
                 "it reports node_scrape_collector_success 0 and its output is dropped.")
      ->check(kPositive);
  bool disable_defaults = false;
  app.add_flag("--collector.disable-defaults", disable_defaults,
               "Set all collectors to disabled by default.");
  std::string log_format = "logfmt";
  app.add_option("--log.level", config.log_level,
                 "Only log messages with the given severity or above.")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log.format", log_format, "Output format of log messages.")
      ->check(CLI::IsMember({"logfmt", "json"}));
  app.set_version_flag("--version", std::string("nodeprobe, version ") + build::kVersion +
                                        " (revision: " + build::kRevision + ", branch: " +
                                        build::kBranch + ")\n  compiler: " + build::kCompiler);

  const auto& list = collector_list();
  std::vector<std::unique_ptr<Collector>> instances;
  std::vector<bool> enabled(list.size());
  std::vector<CLI::Option*> switches;
  auto switch_values = std::make_unique<bool[]>(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& entry = list[i];
    instances.push_back(entry.create());
    enabled[i] = entry.enabled_by_default;
    std::string name(entry.name);
    std::string help = "Enable the " + name + " collector: " + std::string(entry.description) +
                       (entry.enabled_by_default ? " [default: enabled]" : " [default: disabled]");
    switch_values[i] = entry.enabled_by_default;
    switches.push_back(
        app.add_flag("--collector." + name + ",!--no-collector." + name, switch_values[i], help));
    OptionBinder binder(app, name);
    instances.back()->add_options(binder);
  }

  try {
    app.parse(split_empty_values(app, argc, argv));
  } catch (const CLI::CallForHelp& e) {
    std::cout << app.help();
    return std::nullopt;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    std::cerr << "nodeprobe: error: " << e.what() << "\n";
    exit_code = 1;
    return std::nullopt;
  }

  config.agent.exporter_metrics = !disable_exporter_metrics;
  config.agent.collector_timeout =
      std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
  config.log_format = log_format == "json" ? log::Format::kJson : log::Format::kLogfmt;
  if (config.server.telemetry_path.empty() || config.server.telemetry_path.front() != '/' ||
      config.server.telemetry_path == "/") {
    std::cerr << "nodeprobe: error: --web.telemetry-path: must start with / and not be /\n";
    exit_code = 1;
    return std::nullopt;
  }

  for (std::size_t i = 0; i < list.size(); ++i) {
    if (switches[i]->count() > 0) {
      // The flag's last occurrence decides: --collector.x, --collector.x=false, --no-collector.x.
      enabled[i] = switch_values[i];
    } else if (disable_defaults) {
      enabled[i] = false;
    }
  }

  // Collectors may log from configure() (a deprecated flag, a missing udev directory); set up
  // the logger first, or those lines go to stdout in spdlog's default format.
  log::init(config.log_level, config.log_format);
  try {
    check_paths(config.paths);
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!enabled[i]) continue;
      instances[i]->set_deadline(config.agent.collector_timeout);
      instances[i]->configure(config.paths);
      config.collectors.push_back({list[i].name, std::move(instances[i])});
    }
  } catch (const ConfigError& e) {
    std::cerr << "nodeprobe: error: " << e.what() << "\n";
    exit_code = 1;
    return std::nullopt;
  }
  return config;
}

void check_paths(const HostPaths& paths) {
  auto check = [](const char* flag, const std::string& path) {
    if (::access(path.c_str(), R_OK | X_OK) != 0) {
      throw ConfigError(flag, path + ": " + std::strerror(errno));
    }
  };
  check("--path.procfs", paths.procfs);
  check("--path.sysfs", paths.sysfs);
  check("--path.rootfs", paths.rootfs);
}

}  // namespace nodeprobe

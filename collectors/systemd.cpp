// node_systemd_*: units and their states, restarts, tasks, timers and sockets, read from systemd's
// manager over D-Bus with sd-bus (node_exporter's systemd collector, collector/systemd_linux.go).
// The bus is the system bus, so DBUS_SYSTEM_BUS_ADDRESS points the collector at another one, as
// it does node_exporter.
#include "collectors/systemd.h"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/dynamic_library.h"
#include "agent/logging.h"

namespace nodeprobe {

namespace {

constexpr const char* kDestination = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kDefaultInclude = ".+";
constexpr const char* kDefaultExclude = ".+\\.(automount|device|mount|scope|slice)";
// The SystemState manager property and the timers' LastTriggerUSec came in systemd 212.
constexpr double kMinVersionSystemState = 212;
// node_exporter's unit_state series, in its order; node_systemd_units starts each at 0.
constexpr const char* kUnitStates[] = {"active", "activating", "deactivating", "inactive",
                                       "failed"};

std::shared_ptr<const RE2> compile_anchored(std::string_view pattern, std::string_view flag) {
  auto re = std::make_shared<const RE2>("^(?:" + std::string(pattern) + ")$", RE2::Quiet);
  if (!re->ok()) throw ConfigError(std::string(flag), "invalid regex: " + re->error());
  return re;
}

// libsystemd, loaded when the systemd collector first runs (see agent/dynamic_library.h): it
// links compression and crypto libraries that agents without this collector should not carry.
struct SdBus {
  decltype(&::sd_bus_flush_close_unref) flush_close_unref = nullptr;
  decltype(&::sd_bus_error_free) error_free = nullptr;
  decltype(&::sd_bus_get_property_string) get_property_string = nullptr;
  decltype(&::sd_bus_get_property_trivial) get_property_trivial = nullptr;
  decltype(&::sd_bus_call_method) call_method = nullptr;
  decltype(&::sd_bus_error_has_name) error_has_name = nullptr;
  decltype(&::sd_bus_message_unref) message_unref = nullptr;
  decltype(&::sd_bus_message_enter_container) message_enter_container = nullptr;
  decltype(&::sd_bus_message_read) message_read = nullptr;
  decltype(&::sd_bus_is_open) is_open = nullptr;
  decltype(&::sd_bus_new) new_bus = nullptr;
  decltype(&::sd_bus_set_address) set_address = nullptr;
  decltype(&::sd_bus_start) start = nullptr;
  decltype(&::sd_bus_open_system) open_system = nullptr;
  decltype(&::sd_bus_set_method_call_timeout) set_method_call_timeout = nullptr;
};

const SdBus& sd() {
  static const SdBus api = [] {
    static DynamicLibrary lib("libsystemd.so.0");
    SdBus a;
    bool ok = lib.bind("sd_bus_flush_close_unref", a.flush_close_unref) &&
              lib.bind("sd_bus_error_free", a.error_free) &&
              lib.bind("sd_bus_get_property_string", a.get_property_string) &&
              lib.bind("sd_bus_get_property_trivial", a.get_property_trivial) &&
              lib.bind("sd_bus_call_method", a.call_method) &&
              lib.bind("sd_bus_error_has_name", a.error_has_name) &&
              lib.bind("sd_bus_message_unref", a.message_unref) &&
              lib.bind("sd_bus_message_enter_container", a.message_enter_container) &&
              lib.bind("sd_bus_message_read", a.message_read) &&
              lib.bind("sd_bus_is_open", a.is_open) && lib.bind("sd_bus_new", a.new_bus) &&
              lib.bind("sd_bus_set_address", a.set_address) && lib.bind("sd_bus_start", a.start) &&
              lib.bind("sd_bus_open_system", a.open_system) &&
              lib.bind("sd_bus_set_method_call_timeout", a.set_method_call_timeout);
    if (!ok) throw FeatureAbsent("libsystemd: " + lib.error());
    return a;
  }();
  return api;
}

struct BusDeleter {
  void operator()(sd_bus* bus) const { sd().flush_close_unref(bus); }
};
using Bus = std::unique_ptr<sd_bus, BusDeleter>;

// An sd_bus_error that frees itself.
struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  BusError() = default;
  ~BusError() { sd().error_free(&e); }
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  std::string text(int r) const {
    return e.message != nullptr ? std::string(e.message) : std::string(std::strerror(-r));
  }
};

struct Unit {
  std::string name, load_state, active_state, path;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

// Properties are read one by one, as node_exporter does: a property this systemd lacks (NRestarts
// before 235, NRefused before 239) is left out and the rest go on.
class Manager {
 public:
  Manager(sd_bus* bus, bool* broken) : bus_(bus), broken_(broken) {}

  std::optional<std::string> string_property(const std::string& path, const char* interface,
                                             const char* name) {
    BusError error;
    char* value = nullptr;
    int r = sd().get_property_string(bus_, kDestination, path.c_str(), interface, name, &error.e,
                                     &value);
    if (r < 0) return missing(path, name, error, r);
    std::string out(value);
    std::free(value);
    return out;
  }

  template <typename T>
  std::optional<T> trivial_property(const std::string& path, const char* interface,
                                    const char* name, char type) {
    BusError error;
    T value{};
    int r = sd().get_property_trivial(bus_, kDestination, path.c_str(), interface, name, &error.e,
                                      type, &value);
    if (r < 0) return missing(path, name, error, r);
    return value;
  }

  std::vector<Unit> list_units() {
    BusError error;
    sd_bus_message* reply = nullptr;
    int r = sd().call_method(bus_, kDestination, kManagerPath, kManager, "ListUnits", &error.e,
                             &reply, "");
    if (r < 0) {
      if (sd().error_has_name(&error.e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
          sd().error_has_name(&error.e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
        throw FeatureAbsent("systemd is not on the system bus: " + error.text(r));
      }
      note_transport(r);
      throw std::runtime_error("couldn't get units: " + error.text(r));
    }
    std::unique_ptr<sd_bus_message, decltype(sd().message_unref)> owned(reply, sd().message_unref);
    std::vector<Unit> units;
    r = sd().message_enter_container(reply, 'a', "(ssssssouso)");
    while (r > 0) {
      const char *name, *description, *load, *active, *sub, *following, *path, *job_type, *job_path;
      std::uint32_t job_id;
      r = sd().message_read(reply, "(ssssssouso)", &name, &description, &load, &active, &sub,
                            &following, &path, &job_id, &job_type, &job_path);
      if (r > 0) units.push_back({name, load, active, path});
    }
    if (r < 0) throw std::runtime_error(std::string("ListUnits reply: ") + std::strerror(-r));
    return units;
  }

 private:
  std::nullopt_t missing(const std::string& path, const char* name, const BusError& error, int r) {
    note_transport(r);
    if (*broken_) throw std::runtime_error("system bus connection lost: " + error.text(r));
    log::debug(
        "couldn't get unit property",
        {{"collector", "systemd"}, {"path", path}, {"property", name}, {"err", error.text(r)}});
    return std::nullopt;
  }

  // A connection that broke fails the run, and so does a manager that stopped answering (each
  // further call would wait the whole deadline again); the next run reconnects.
  void note_transport(int r) {
    if (r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ETIMEDOUT ||
        sd().is_open(bus_) <= 0) {
      *broken_ = true;
    }
  }

  sd_bus* bus_;
  bool* broken_;
};

class SystemdCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    include_flag_ = b.flag_name("unit-include");
    exclude_flag_ = b.flag_name("unit-exclude");
    old_include_flag_ = b.flag_name("unit-whitelist");
    old_exclude_flag_ = b.flag_name("unit-blacklist");
    b.option("unit-include", include_,
             "Regexp of systemd units to include. Units must both match include and not match "
             "exclude to be included.");
    b.option("unit-whitelist", old_include_, "DEPRECATED: Use --collector.systemd.unit-include");
    b.option("unit-exclude", exclude_,
             "Regexp of systemd units to exclude. Units must both match include and not match "
             "exclude to be included.");
    b.option("unit-blacklist", old_exclude_, "DEPRECATED: Use collector.systemd.unit-exclude");
    b.flag("private", private_,
           "Establish a private, direct connection to systemd without dbus (Strongly discouraged "
           "since it requires root. For testing purposes only).");
    b.flag("enable-task-metrics", task_metrics_,
           "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max");
    b.flag("enable-restarts-metrics", restarts_metrics_,
           "Enables service unit metric service_restart_total");
    b.flag("enable-start-time-metrics", start_time_metrics_,
           "Enables service unit metric unit_start_time_seconds");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    // The deprecated spellings stand in for the new ones, but not beside them.
    auto take_old = [](std::string& value, std::string_view fallback, std::string& old,
                       const std::string& flag, const std::string& old_flag) {
      if (old.empty()) return;
      if (value != fallback) throw ConfigError(old_flag, "mutually exclusive with " + flag);
      log::warn("flag is deprecated", {{"flag", old_flag}, {"use", flag}});
      value = old;
    };
    take_old(include_, kDefaultInclude, old_include_, include_flag_, old_include_flag_);
    take_old(exclude_, kDefaultExclude, old_exclude_, exclude_flag_, old_exclude_flag_);
    filter_ = UnitFilter(include_, include_flag_, exclude_, exclude_flag_);
  }

  void collect(MetricSink& sink) override {
    try {
      if (!bus_) bus_ = connect();
      bool broken = false;
      Manager manager(bus_.get(), &broken);
      collect_from(manager, sink);
      if (broken) bus_.reset();
    } catch (...) {
      bus_.reset();  // a fresh connection next time
      throw;
    }
  }

 private:
  Bus connect() const {
    sd_bus* raw = nullptr;
    int r = 0;
    if (private_) {
      // systemd's own socket, without a bus in between (node_exporter's hidden --private).
      r = sd().new_bus(&raw);
      if (r >= 0) r = sd().set_address(raw, "unix:path=/run/systemd/private");
      if (r >= 0) r = sd().start(raw);
    } else {
      r = sd().open_system(&raw);
    }
    Bus bus(raw);
    if (r == -ENOENT || r == -ECONNREFUSED || r == -ENOTDIR) {
      throw FeatureAbsent(std::string("no system bus: ") + std::strerror(-r));
    }
    if (r < 0) {
      throw std::runtime_error(std::string("couldn't get dbus connection: ") + std::strerror(-r));
    }
    // Every call answers within the collector's deadline or fails.
    sd().set_method_call_timeout(bus.get(), static_cast<std::uint64_t>(deadline_.count()) * 1000);
    return bus;
  }

  void collect_from(Manager& manager, MetricSink& sink) {
    std::vector<Unit> all = manager.list_units();

    auto version = parse_systemd_version(
        manager.string_property(kManagerPath, kManager, "Version").value_or(""));
    sink.gauge("node_systemd_version", "Detected systemd version", version.number,
               {{"version", version.full}});

    std::map<std::string, double> summary;
    for (const char* state : kUnitStates) summary[state] = 0;
    for (const auto& unit : all) summary[unit.active_state] += 1;
    for (const auto& [state, count] : summary) {
      sink.gauge("node_systemd_units", "Summary of systemd unit states", count, {{"state", state}});
    }

    for (const auto& unit : all) {
      if (unit.load_state != "loaded" || !filter_.selected(unit.name)) continue;
      unit_metrics(manager, unit, sink);
      if (ends_with(unit.name, ".socket")) socket_metrics(manager, unit, sink);
      if (ends_with(unit.name, ".timer") && version.number >= kMinVersionSystemState) {
        auto usec = manager.trivial_property<std::uint64_t>(
            unit.path, "org.freedesktop.systemd1.Timer", "LastTriggerUSec", 't');
        if (usec) {
          sink.gauge("node_systemd_timer_last_trigger_seconds",
                     "Seconds since epoch of last trigger.", static_cast<double>(*usec) / 1e6,
                     {{"name", unit.name}});
        }
      }
    }

    if (version.number >= kMinVersionSystemState) {
      auto state = manager.string_property(kManagerPath, kManager, "SystemState");
      if (!state) throw std::runtime_error("couldn't get system state");
      sink.gauge("node_systemd_system_running",
                 "Whether the system is operational (see 'systemctl is-system-running')",
                 *state == "running" ? 1 : 0);
    }
  }

  void unit_metrics(Manager& manager, const Unit& unit, MetricSink& sink) const {
    static constexpr const char* kService = "org.freedesktop.systemd1.Service";
    bool service = ends_with(unit.name, ".service");
    std::string type;
    if (service) {
      type = manager.string_property(unit.path, kService, "Type").value_or("");
    } else if (ends_with(unit.name, ".mount")) {
      type =
          manager.string_property(unit.path, "org.freedesktop.systemd1.Mount", "Type").value_or("");
    }
    for (const char* state : kUnitStates) {
      sink.gauge("node_systemd_unit_state", "Systemd unit", unit.active_state == state ? 1 : 0,
                 {{"name", unit.name}, {"state", state}, {"type", type}});
    }
    if (restarts_metrics_ && service) {
      auto restarts =
          manager.trivial_property<std::uint32_t>(unit.path, kService, "NRestarts", 'u');
      if (restarts) {
        sink.counter("node_systemd_service_restart_total", "Service unit count of Restart triggers",
                     *restarts, {{"name", unit.name}});
      }
    }
    if (start_time_metrics_) {
      std::optional<std::uint64_t> usec = 0;
      if (unit.active_state == "active") {
        usec = manager.trivial_property<std::uint64_t>(unit.path, "org.freedesktop.systemd1.Unit",
                                                       "ActiveEnterTimestamp", 't');
      }
      if (usec) {
        sink.gauge("node_systemd_unit_start_time_seconds",
                   "Start time of the unit since unix epoch in seconds.",
                   static_cast<double>(*usec) / 1e6, {{"name", unit.name}});
      }
    }
    if (task_metrics_ && service) {
      // systemd says "no limit" or "not counted" with the largest value; node_exporter omits it.
      constexpr auto kUnset = std::numeric_limits<std::uint64_t>::max();
      auto current =
          manager.trivial_property<std::uint64_t>(unit.path, kService, "TasksCurrent", 't');
      if (current && *current != kUnset) {
        sink.gauge("node_systemd_unit_tasks_current", "Current number of tasks per Systemd unit",
                   static_cast<double>(*current), {{"name", unit.name}});
      }
      auto max = manager.trivial_property<std::uint64_t>(unit.path, kService, "TasksMax", 't');
      if (max && *max != kUnset) {
        sink.gauge("node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit",
                   static_cast<double>(*max), {{"name", unit.name}});
      }
    }
  }

  static void socket_metrics(Manager& manager, const Unit& unit, MetricSink& sink) {
    static constexpr const char* kSocket = "org.freedesktop.systemd1.Socket";
    Labels name = {{"name", unit.name}};
    auto accepted = manager.trivial_property<std::uint32_t>(unit.path, kSocket, "NAccepted", 'u');
    if (!accepted) return;
    sink.counter("node_systemd_socket_accepted_connections_total",
                 "Total number of accepted socket connections", *accepted, name);
    auto current = manager.trivial_property<std::uint32_t>(unit.path, kSocket, "NConnections", 'u');
    if (!current) return;
    sink.gauge("node_systemd_socket_current_connections", "Current number of socket connections",
               *current, name);
    // node_exporter reports this _total as a gauge.
    auto refused = manager.trivial_property<std::uint32_t>(unit.path, kSocket, "NRefused", 'u');
    if (refused) {
      sink.gauge("node_systemd_socket_refused_connections_total",
                 "Total number of refused socket connections", *refused, name);
    }
  }

  std::string include_ = kDefaultInclude, exclude_ = kDefaultExclude;
  std::string old_include_, old_exclude_;
  std::string include_flag_, exclude_flag_, old_include_flag_, old_exclude_flag_;
  bool private_ = false;
  bool task_metrics_ = false;
  bool restarts_metrics_ = false;
  bool start_time_metrics_ = false;
  UnitFilter filter_;
  Bus bus_;
};

}  // namespace

SystemdVersion parse_systemd_version(std::string_view version) {
  static const RE2 kNumber("([0-9]{3,}(?:\\.[0-9]+)?)");
  std::string number;
  if (!RE2::PartialMatch(version, kNumber, &number)) return {};
  return {std::stod(number), std::string(version)};
}

UnitFilter::UnitFilter(std::string_view include, std::string_view include_flag,
                       std::string_view exclude, std::string_view exclude_flag)
    : include_(compile_anchored(include, include_flag)),
      exclude_(compile_anchored(exclude, exclude_flag)) {}

bool UnitFilter::selected(std::string_view unit) const {
  if (!include_ || !exclude_) return true;
  return RE2::FullMatch(unit, *include_) && !RE2::FullMatch(unit, *exclude_);
}

std::unique_ptr<Collector> make_systemd_collector() { return std::make_unique<SystemdCollector>(); }

}  // namespace nodeprobe

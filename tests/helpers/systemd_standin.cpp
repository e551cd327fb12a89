// A stand-in for systemd's manager on a D-Bus bus, for the systemd collector's tests where PID 1
// is not systemd: it owns org.freedesktop.systemd1 and answers what node_exporter's collector
// asks, ListUnits and the Manager, Unit, Service, Socket, Timer and Mount properties, from a
// spec file that it reads again at every ListUnits (so a test changes units between scrapes):
//
//   @Version 252.38-1~deb12u1        a Manager property (Version, SystemState, Virtualization)
//   @Hang ListUnits                  ListUnits never answers (the caller's timeout)
//   nginx.service loaded active running Type=notify NRestarts=2 TasksCurrent=5
//   # name load-state active-state sub-state Property=value...
//
// A property the spec does not give is answered with UnknownProperty, as an older systemd
// does for the properties it lacks.
//
//   systemd_standin <bus address> <spec file>
// prints "ready" once it owns the name, and runs until killed (or its parent dies).
#include <signal.h>
#include <sys/prctl.h>
#include <systemd/sd-bus.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Unit {
  std::string name, load, active, sub;
  std::map<std::string, std::string> properties;
};

std::string spec_path;
std::map<std::string, std::string> manager_properties;
std::map<std::string, Unit> units;
std::vector<std::string> unit_order;
bool hang_list_units = false;

void load_spec() {
  manager_properties.clear();
  units.clear();
  unit_order.clear();
  hang_list_units = false;
  std::ifstream in(spec_path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string first;
    if (!(fields >> first) || first[0] == '#') continue;
    if (first == "@Hang") {
      hang_list_units = true;
    } else if (first[0] == '@') {
      std::string value;
      std::getline(fields >> std::ws, value);
      manager_properties[first.substr(1)] = value;
    } else {
      Unit unit{first, "", "", "", {}};
      fields >> unit.load >> unit.active >> unit.sub;
      std::string property;
      while (fields >> property) {
        auto eq = property.find('=');
        if (eq != std::string::npos)
          unit.properties[property.substr(0, eq)] = property.substr(eq + 1);
      }
      unit_order.push_back(first);
      units[first] = std::move(unit);
    }
  }
}

std::string unit_path(const std::string& name) {
  char* path = nullptr;
  if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", name.c_str(), &path) < 0) return "/";
  std::string out(path);
  std::free(path);
  return out;
}

// The D-Bus type of each property the collector reads.
char property_type(const char* property) {
  static const std::map<std::string, char> kTypes = {
      {"Version", 's'},        {"SystemState", 's'},  {"Virtualization", 's'},
      {"Type", 's'},           {"ActiveState", 's'},  {"NRestarts", 'u'},
      {"TasksCurrent", 't'},   {"TasksMax", 't'},     {"ActiveEnterTimestamp", 't'},
      {"NAccepted", 'u'},      {"NConnections", 'u'}, {"NRefused", 'u'},
      {"LastTriggerUSec", 't'}};
  auto it = kTypes.find(property);
  return it == kTypes.end() ? 's' : it->second;
}

int append(sd_bus_message* reply, const char* property, const std::string& value) {
  switch (property_type(property)) {
    case 'u':
      return sd_bus_message_append(
          reply, "u", static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10)));
    case 't':
      return sd_bus_message_append(
          reply, "t", static_cast<std::uint64_t>(std::strtoull(value.c_str(), nullptr, 10)));
    default:
      return sd_bus_message_append(reply, "s", value.c_str());
  }
}

int get_property(const std::map<std::string, std::string>& properties, const char* property,
                 sd_bus_message* reply, sd_bus_error* error) {
  auto it = properties.find(property);
  if (it == properties.end()) {
    return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "no property %s", property);
  }
  return append(reply, property, it->second);
}

int get_manager_property(sd_bus*, const char*, const char*, const char* property,
                         sd_bus_message* reply, void*, sd_bus_error* error) {
  return get_property(manager_properties, property, reply, error);
}

int get_unit_property(sd_bus*, const char*, const char*, const char* property,
                      sd_bus_message* reply, void* userdata, sd_bus_error* error) {
  return get_property(static_cast<Unit*>(userdata)->properties, property, reply, error);
}

int list_units(sd_bus_message* call, void*, sd_bus_error*) {
  load_spec();
  if (hang_list_units) return 1;  // handled, never answered
  sd_bus_message* reply = nullptr;
  int r = sd_bus_message_new_method_return(call, &reply);
  if (r >= 0) r = sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
  for (const auto& name : unit_order) {
    const Unit& u = units[name];
    if (r >= 0) {
      r = sd_bus_message_append(reply, "(ssssssouso)", u.name.c_str(), "stand-in unit",
                                u.load.c_str(), u.active.c_str(), u.sub.c_str(), "",
                                unit_path(u.name).c_str(), 0u, "", "/");
    }
  }
  if (r >= 0) r = sd_bus_message_close_container(reply);
  if (r >= 0) r = sd_bus_send(nullptr, reply, nullptr);
  sd_bus_message_unref(reply);
  return r;
}

// Unit objects come and go with the spec: each interface is a fallback under the unit prefix,
// found when the unit exists and (for the type interfaces) has the matching suffix.
template <const char* kSuffix>
int find_unit(sd_bus*, const char* path, const char*, void*, void** found, sd_bus_error*) {
  char* name = nullptr;
  if (sd_bus_path_decode(path, "/org/freedesktop/systemd1/unit", &name) <= 0) return 0;
  std::string unit(name);
  std::free(name);
  auto it = units.find(unit);
  std::string suffix(kSuffix);
  if (it == units.end()) return 0;
  if (!suffix.empty() && (unit.size() < suffix.size() ||
                          unit.compare(unit.size() - suffix.size(), suffix.size(), suffix) != 0)) {
    return 0;
  }
  *found = &it->second;
  return 1;
}

constexpr char kAny[] = "";
constexpr char kService[] = ".service";
constexpr char kSocket[] = ".socket";
constexpr char kTimer[] = ".timer";
constexpr char kMount[] = ".mount";

#define PROPERTY(name, type, getter) \
  SD_BUS_PROPERTY(name, type, getter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

const sd_bus_vtable kManagerVtable[] = {
    SD_BUS_VTABLE_START(0),
    PROPERTY("Version", "s", get_manager_property),
    PROPERTY("SystemState", "s", get_manager_property),
    PROPERTY("Virtualization", "s", get_manager_property),
    SD_BUS_METHOD("ListUnits", "", "a(ssssssouso)", list_units, 0),
    SD_BUS_VTABLE_END};
const sd_bus_vtable kUnitVtable[] = {
    SD_BUS_VTABLE_START(0), PROPERTY("ActiveState", "s", get_unit_property),
    PROPERTY("ActiveEnterTimestamp", "t", get_unit_property), SD_BUS_VTABLE_END};
const sd_bus_vtable kServiceVtable[] = {SD_BUS_VTABLE_START(0),
                                        PROPERTY("Type", "s", get_unit_property),
                                        PROPERTY("NRestarts", "u", get_unit_property),
                                        PROPERTY("TasksCurrent", "t", get_unit_property),
                                        PROPERTY("TasksMax", "t", get_unit_property),
                                        SD_BUS_VTABLE_END};
const sd_bus_vtable kSocketVtable[] = {
    SD_BUS_VTABLE_START(0), PROPERTY("NAccepted", "u", get_unit_property),
    PROPERTY("NConnections", "u", get_unit_property), PROPERTY("NRefused", "u", get_unit_property),
    SD_BUS_VTABLE_END};
const sd_bus_vtable kTimerVtable[] = {
    SD_BUS_VTABLE_START(0), PROPERTY("LastTriggerUSec", "t", get_unit_property), SD_BUS_VTABLE_END};
const sd_bus_vtable kMountVtable[] = {SD_BUS_VTABLE_START(0),
                                      PROPERTY("Type", "s", get_unit_property), SD_BUS_VTABLE_END};

int fail(const char* what, int r) {
  std::printf("failed: %s: %s\n", what, std::strerror(-r));
  std::fflush(stdout);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <bus address> <spec file>\n", argv[0]);
    return 2;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  spec_path = argv[2];
  load_spec();

  sd_bus* bus = nullptr;
  int r = sd_bus_new(&bus);
  if (r >= 0) r = sd_bus_set_address(bus, argv[1]);
  if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
  if (r >= 0) r = sd_bus_start(bus);
  if (r < 0) return fail("connect", r);

  const char* prefix = "/org/freedesktop/systemd1/unit";
  struct {
    const char* interface;
    const sd_bus_vtable* vtable;
    sd_bus_object_find_t find;
  } interfaces[] = {
      {"org.freedesktop.systemd1.Unit", kUnitVtable, find_unit<kAny>},
      {"org.freedesktop.systemd1.Service", kServiceVtable, find_unit<kService>},
      {"org.freedesktop.systemd1.Socket", kSocketVtable, find_unit<kSocket>},
      {"org.freedesktop.systemd1.Timer", kTimerVtable, find_unit<kTimer>},
      {"org.freedesktop.systemd1.Mount", kMountVtable, find_unit<kMount>},
  };
  r = sd_bus_add_object_vtable(bus, nullptr, "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", kManagerVtable, nullptr);
  if (r < 0) return fail("manager object", r);
  for (const auto& i : interfaces) {
    r = sd_bus_add_fallback_vtable(bus, nullptr, prefix, i.interface, i.vtable, i.find, nullptr);
    if (r < 0) return fail(i.interface, r);
  }
  r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
  if (r < 0) return fail("request name", r);

  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    r = sd_bus_process(bus, nullptr);
    if (r < 0) return fail("process", r);
    if (r > 0) continue;
    r = sd_bus_wait(bus, UINT64_MAX);
    if (r < 0) return fail("wait", r);
  }
}

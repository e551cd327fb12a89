#include "collectors/ebpf_block_devices.h"

#include <algorithm>
#include <limits>

#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

std::optional<unsigned> parse_device_number(std::string_view s) {
  auto v = parse_uint(s);
  if (!v || *v > std::numeric_limits<unsigned>::max()) return std::nullopt;
  return static_cast<unsigned>(*v);
}

}  // namespace

std::map<std::pair<unsigned, unsigned>, std::string> parse_diskstats_names(std::string_view text) {
  std::map<std::pair<unsigned, unsigned>, std::string> out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 4) return;  // a name with no counters is not a diskstats line
    auto major = parse_device_number(fields[0]);
    auto minor = parse_device_number(fields[1]);
    if (!major || !minor) return;
    out[{*major, *minor}] = std::string(fields[2]);
  });
  return out;
}

std::optional<std::string> parse_uevent_devname(std::string_view text) {
  std::optional<std::string> out;
  for_each_line(text, [&](std::string_view line) {
    if (!line.starts_with("DEVNAME=")) return;
    auto name = trim(line.substr(8));
    if (name.empty()) return;
    std::string spelled(name);
    std::replace(spelled.begin(), spelled.end(), '/', '!');
    out = std::move(spelled);
  });
  return out;
}

void BlockDeviceNames::refresh() {
  std::string text;
  int err = 0;
  diskstats_.clear();
  if (try_read_file(paths_.proc("diskstats"), text, err)) diskstats_ = parse_diskstats_names(text);
}

std::string BlockDeviceNames::name(unsigned major, unsigned minor) const {
  if (auto it = diskstats_.find({major, minor}); it != diskstats_.end()) return it->second;
  std::string number = std::to_string(major) + ":" + std::to_string(minor);
  std::string text;
  int err = 0;
  if (try_read_file(paths_.sys("dev/block/" + number + "/uevent"), text, err, 64 * 1024)) {
    if (auto name = parse_uevent_devname(text)) return *name;
  }
  return number;
}

}  // namespace nodeprobe

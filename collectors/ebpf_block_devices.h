#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "agent/host_paths.h"

namespace nodeprobe {

// Device numbers to names, as /proc/diskstats lists them ("254 0 vda ..."): major, minor, name.
// Lines that are not of that shape are skipped.
std::map<std::pair<unsigned, unsigned>, std::string> parse_diskstats_names(std::string_view text);

// DEVNAME from a /sys/dev/block/<major>:<minor>/uevent file, spelled as /proc/diskstats spells
// it: a '/' in a device node's path ("cciss/c0d0") is '!' there ("cciss!c0d0").
std::optional<std::string> parse_uevent_devname(std::string_view text);

// Names block devices for the eBPF block latency histograms the way the diskstats collector
// does. Reads /proc/diskstats once per refresh(), then the device's uevent for numbers it did
// not list; "<major>:<minor>" when neither knows the device.
class BlockDeviceNames {
 public:
  explicit BlockDeviceNames(HostPaths paths) : paths_(std::move(paths)) {}
  void refresh();
  std::string name(unsigned major, unsigned minor) const;

 private:
  HostPaths paths_;
  std::map<std::pair<unsigned, unsigned>, std::string> diskstats_;
};

}  // namespace nodeprobe

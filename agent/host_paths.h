#pragma once

#include <string>
#include <string_view>

namespace nodeprobe {

// Where the host's kernel interfaces are mounted: "/proc", "/sys" and "/" on a plain host,
// "/host/proc", ... inside a container, a fixture tree in a test. Built once from the
// --path.* flags and handed to every collector; no reader hard-codes a path.
struct HostPaths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
  std::string udev_data = "/run/udev/data";

  // procfs joined with a path relative to it: proc("meminfo") == "/proc/meminfo".
  std::string proc(std::string_view relative) const { return join(procfs, relative); }
  std::string sys(std::string_view relative) const { return join(sysfs, relative); }
  std::string root(std::string_view relative) const { return join(rootfs, relative); }

  static std::string join(std::string_view base, std::string_view relative);
};

}  // namespace nodeprobe

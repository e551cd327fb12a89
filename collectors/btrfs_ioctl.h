#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/host_paths.h"

namespace nodeprobe {

// What node_exporter (1.4+) asks a mounted btrfs filesystem with ioctls: its devices, their
// sizes and error counters (BTRFS_IOC_FS_INFO, BTRFS_IOC_DEV_INFO, BTRFS_IOC_GET_DEV_STATS).
struct BtrfsIoctlDevice {
  std::string path;  // "/dev/sda3"
  std::string uuid;  // the device's UUID, with dashes
  std::uint64_t bytes_used = 0;
  std::uint64_t total_bytes = 0;
  // BTRFS_DEV_STAT_*: write, read, flush, corruption, generation errors.
  std::array<std::uint64_t, 5> errors{};
};

// Every btrfs filesystem mounted in /proc/1/mounts (or /proc/mounts) that can be opened under
// --path.rootfs, keyed by filesystem UUID in lowercase hex without dashes. Filesystems that
// cannot be opened or queried (not root, a bind mount of a subdirectory) are left out, as
// node_exporter leaves them out; an unreadable mount table gives an empty map.
std::map<std::string, std::vector<BtrfsIoctlDevice>> btrfs_ioctl_stats(const HostPaths& paths);

}  // namespace nodeprobe

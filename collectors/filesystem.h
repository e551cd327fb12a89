#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collector.h"
#include "collectors/statfs_pool.h"

namespace nodeprobe {

// One mounted filesystem as the mount table shows it.
struct MountEntry {
  std::string device;       // the mount source: "/dev/sda1", "server:/export", "tmpfs"
  std::string mount_point;  // unescaped ("\040" is a space), as seen by the reading process
  std::string fs_type;      // "ext4", "nfs4", "fuse.sshfs"
  bool read_only = false;   // "ro" in the mount's or the superblock's options
};

// Parses /proc/<pid>/mountinfo (proc(5)): the mount point is field 5, the type, source and
// superblock options follow the "-" separator. Lines that do not have that shape are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// Parses /proc/mounts (fstab(5) layout: source, mount point, type, options, ...).
std::vector<MountEntry> parse_mounts(std::string_view text);

// Undoes the kernel's escaping of mount table fields: "\ooo" octal escapes (the kernel writes
// space, tab, newline and backslash so) become the character; anything else stays as it is.
std::string unescape_mount_field(std::string_view field);

// The mount point as the host sees it: with --path.rootfs=/host, "/host/data" is "/data" and
// "/host" is "/". Only whole path components are stripped ("/hostile" stays).
std::string strip_rootfs(std::string_view mount_point, std::string_view rootfs);

// The filesystem collector with its own statfs, for tests; the registry's
// make_filesystem_collector() uses statfs_path().
std::unique_ptr<Collector> make_filesystem_collector(StatfsFunction statfs);

}  // namespace nodeprobe

#include "collectors/btrfs_ioctl.h"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <set>

#include "agent/logging.h"
#include "agent/read_file.h"
#include "collectors/filesystem.h"

namespace nodeprobe {
namespace {

constexpr std::uint64_t kFirstFreeObjectId = 256;  // a subvolume root's inode number

std::string hex(const std::uint8_t* bytes, std::size_t n, bool dashes) {
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < n; ++i) {
    if (dashes && (i == 4 || i == 6 || i == 8 || i == 10)) out += '-';
    std::snprintf(buf, sizeof buf, "%02x", bytes[i]);
    out += buf;
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The devices of the filesystem open at `fd`; nullopt (logged at debug level) when a query
// fails. Device ids need not start at 0 nor be contiguous: ENODEV skips an id.
std::optional<std::vector<BtrfsIoctlDevice>> query_devices(int fd,
                                                           const btrfs_ioctl_fs_info_args& fs,
                                                           const std::string& mount) {
  std::vector<BtrfsIoctlDevice> devices;
  for (std::uint64_t id = 0; id <= fs.max_id; ++id) {
    btrfs_ioctl_dev_info_args info{};
    info.devid = id;
    if (::ioctl(fd, BTRFS_IOC_DEV_INFO, &info) != 0) {
      if (errno == ENODEV) continue;
      log::debug("Error querying btrfs device stats", {{"mountPoint", mount}});
      return std::nullopt;
    }
    btrfs_ioctl_get_dev_stats stats{};
    stats.devid = id;
    stats.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
    if (::ioctl(fd, BTRFS_IOC_GET_DEV_STATS, &stats) != 0) {
      log::debug("Error querying btrfs device stats", {{"mountPoint", mount}});
      return std::nullopt;
    }
    BtrfsIoctlDevice d;
    info.path[sizeof info.path - 1] = 0;
    d.path = reinterpret_cast<const char*>(info.path);
    d.uuid = hex(info.uuid, sizeof info.uuid, true);
    d.bytes_used = info.bytes_used;
    d.total_bytes = info.total_bytes;
    for (std::size_t i = 0; i < d.errors.size(); ++i) d.errors[i] = stats.values[i];
    devices.push_back(std::move(d));
    if (devices.size() == fs.num_devices) break;
  }
  return devices;
}

}  // namespace

std::map<std::string, std::vector<BtrfsIoctlDevice>> btrfs_ioctl_stats(const HostPaths& paths) {
  std::map<std::string, std::vector<BtrfsIoctlDevice>> out;
  std::string table;
  int err = 0;
  if (!try_read_file(paths.proc("1/mounts"), table, err) &&
      !(err == ENOENT && try_read_file(paths.proc("mounts"), table, err))) {
    log::debug("Error querying btrfs device stats with ioctl", {{"path", paths.proc("1/mounts")}});
    return out;
  }
  std::set<std::string> devices_done;
  for (const auto& mount : parse_mounts(table)) {
    if (mount.fs_type != "btrfs" || devices_done.count(mount.device)) continue;
    std::string path = HostPaths::join(paths.rootfs, mount.mount_point);
    // As dennwc/btrfs's Open: only a subvolume root on a btrfs filesystem.
    struct statfs sfs;
    struct stat st;
    if (::statfs(path.c_str(), &sfs) != 0 || sfs.f_type != BTRFS_SUPER_MAGIC ||
        ::stat(path.c_str(), &st) != 0 || st.st_ino != kFirstFreeObjectId) {
      log::debug("Error inspecting btrfs mountpoint", {{"mountPoint", path}});
      continue;
    }
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    btrfs_ioctl_fs_info_args fs{};
    if (fd.get() < 0 || ::ioctl(fd.get(), BTRFS_IOC_FS_INFO, &fs) != 0) {
      log::debug("Error querying btrfs filesystem", {{"mountPoint", path}});
      continue;
    }
    std::string fsid = hex(fs.fsid, sizeof fs.fsid, false);
    if (out.count(fsid)) continue;  // the same filesystem through another mount point
    auto devices = query_devices(fd.get(), fs, path);
    if (!devices) continue;
    devices_done.insert(mount.device);
    out[fsid] = std::move(*devices);
  }
  return out;
}

}  // namespace nodeprobe

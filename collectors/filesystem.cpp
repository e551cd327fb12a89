// node_filesystem_*: size, free space and inodes of every mounted filesystem, as node_exporter
// reports them. statfs runs on a bounded pool of threads (collectors/statfs_pool.h), so a hung
// network or FUSE mount is reported with device_error="mountpoint timeout" instead of stalling
// the scrape.
#include "collectors/filesystem.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "agent/logging.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/device_filter.h"

namespace nodeprobe {

std::string unescape_mount_field(std::string_view field) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) && octal(field[i + 2]) &&
        octal(field[i + 3])) {
      int v = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
      if (v <= 0xff) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

namespace {

bool has_option(std::string_view options, std::string_view option) {
  for (auto o : split(options, ',')) {
    if (o == option) return true;
  }
  return false;
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  for_each_line(text, [&](std::string_view line) {
    // Fields are separated by exactly one space (the kernel escapes spaces inside them), so an
    // empty mount source still takes its place.
    auto fields = split(line, ' ');
    if (fields.size() < 10) return;
    if (!parse_uint(fields[0]) || !parse_uint(fields[1])) return;
    if (fields[2].find(':') == std::string_view::npos) return;
    if (!fields[4].starts_with('/')) return;
    std::size_t sep = 6;
    while (sep < fields.size() && fields[sep] != "-") ++sep;
    if (sep + 3 >= fields.size() || fields[sep + 1].empty()) return;
    MountEntry m;
    m.mount_point = unescape_mount_field(fields[4]);
    m.fs_type = unescape_mount_field(fields[sep + 1]);
    m.device = unescape_mount_field(fields[sep + 2]);
    m.read_only = has_option(fields[5], "ro") || has_option(fields[sep + 3], "ro");
    out.push_back(std::move(m));
  });
  return out;
}

std::vector<MountEntry> parse_mounts(std::string_view text) {
  std::vector<MountEntry> out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split(line, ' ');
    if (fields.size() < 4 || !fields[1].starts_with('/') || fields[2].empty()) return;
    MountEntry m;
    m.device = unescape_mount_field(fields[0]);
    m.mount_point = unescape_mount_field(fields[1]);
    m.fs_type = unescape_mount_field(fields[2]);
    m.read_only = has_option(fields[3], "ro");
    out.push_back(std::move(m));
  });
  return out;
}

std::string strip_rootfs(std::string_view mount_point, std::string_view rootfs) {
  while (rootfs.size() > 1 && rootfs.back() == '/') rootfs.remove_suffix(1);
  if (rootfs.empty() || rootfs == "/") return std::string(mount_point);
  if (mount_point == rootfs) return "/";
  if (mount_point.starts_with(rootfs) && mount_point[rootfs.size()] == '/') {
    return std::string(mount_point.substr(rootfs.size()));
  }
  return std::string(mount_point);
}

namespace {

// Debian's node_exporter 1.5 defaults, which add /run, /mnt and /media to upstream's
// "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)".
constexpr std::string_view kDefaultMountPointsExclude =
    "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
constexpr std::string_view kDefaultFsTypesExclude =
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
    "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
    "sysfs|tracefs)$";

constexpr std::string_view kTimeoutError = "mountpoint timeout";

// Go prints an errno as the C library's text with a lower-case first letter ("permission
// denied"); node_exporter puts that text in the device_error label.
std::string errno_text(int err) {
  char buf[256];
  std::string text = ::strerror_r(err, buf, sizeof buf);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

class FilesystemCollector final : public Collector {
 public:
  explicit FilesystemCollector(StatfsFunction statfs) : statfs_(std::move(statfs)) {}

  void add_options(OptionBinder& b) override {
    mount_exclude_flag_ = b.flag_name("mount-points-exclude");
    mount_include_flag_ = b.flag_name("mount-points-include");
    old_mount_flag_ = b.flag_name("ignored-mount-points");
    type_exclude_flag_ = b.flag_name("fs-types-exclude");
    type_include_flag_ = b.flag_name("fs-types-include");
    old_type_flag_ = b.flag_name("ignored-fs-types");
    timeout_flag_ = b.flag_name("mount-timeout");
    workers_flag_ = b.flag_name("stat-workers");
    b.option("mount-points-exclude", mount_exclude_,
             "Regexp of mount points to exclude for filesystem collector. (mutually exclusive to "
             "mount-points-include)");
    b.option("mount-points-include", mount_include_,
             "Regexp of mount points to include for filesystem collector. (mutually exclusive to "
             "mount-points-exclude)");
    b.option("ignored-mount-points", old_mount_exclude_,
             "DEPRECATED: use --collector.filesystem.mount-points-exclude.");
    b.option("fs-types-exclude", type_exclude_,
             "Regexp of filesystem types to exclude for filesystem collector. (mutually exclusive "
             "to fs-types-include)");
    b.option("fs-types-include", type_include_,
             "Regexp of filesystem types to include for filesystem collector. (mutually exclusive "
             "to fs-types-exclude)");
    b.option("ignored-fs-types", old_type_exclude_,
             "DEPRECATED: use --collector.filesystem.fs-types-exclude.");
    b.option("mount-timeout", mount_timeout_,
             "How long to wait for a mount to respond before marking it as stale.");
    b.option("stat-workers", stat_workers_,
             "Threads that run statfs; as many more may be held by mounts past the timeout.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    mount_filter_ = make_device_filter({mount_exclude_, kDefaultMountPointsExclude,
                                        old_mount_exclude_, mount_include_, mount_exclude_flag_,
                                        mount_include_flag_, old_mount_flag_});
    type_filter_ =
        make_device_filter({type_exclude_, kDefaultFsTypesExclude, old_type_exclude_, type_include_,
                            type_exclude_flag_, type_include_flag_, old_type_flag_});
    auto timeout = duration_flag(timeout_flag_, mount_timeout_, true);
    // Within the range first, so that the conversion is defined (and NaN fails it).
    if (!(stat_workers_ >= 1 && stat_workers_ <= 1024 &&
          stat_workers_ == static_cast<double>(static_cast<int>(stat_workers_)))) {
      throw ConfigError(workers_flag_, "must be a whole number from 1 to 1024");
    }
    timeout_ = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    // A mount that hangs is reported as "mountpoint timeout" only if the collector itself still
    // meets --collector.timeout; past that the framework would drop every mount's families. So
    // the statfs wait ends at four fifths of the collector deadline when that comes first.
    timeout_ = std::min(timeout_, deadline_ * 4 / 5);
    if (timeout_.count() == 0) timeout_ = std::chrono::milliseconds(1);
    StatfsPool::Options options;
    options.workers = static_cast<std::size_t>(stat_workers_);
    options.timeout = timeout_;
    pool_ = std::make_unique<StatfsPool>(options, statfs_);
  }

  void collect(MetricSink& sink) override {
    auto start = StatfsPool::Clock::now();
    auto mounts = read_mount_table();

    std::vector<MountEntry> selected;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    std::unordered_set<std::string> remote;  // mount points of filesystems that may hang
    for (auto& m : mounts) {
      m.mount_point = strip_rootfs(m.mount_point, paths_.rootfs);
      if (!local_filesystem(m)) remote.insert(m.mount_point);
      if (mount_filter_.ignored(m.mount_point) || type_filter_.ignored(m.fs_type)) continue;
      // The same filesystem mounted twice at one place is reported once, as node_exporter does.
      if (!seen.emplace(m.device, m.mount_point, m.fs_type).second) continue;
      selected.push_back(std::move(m));
    }

    std::vector<StatfsPool::Request> requests;
    requests.reserve(selected.size());
    std::set<std::string> keys;
    for (const auto& m : selected) {
      std::string key = mount_key(m);
      if (!keys.insert(key).second) continue;  // same place and source, another type label
      requests.push_back({std::move(key), paths_.root(m.mount_point), m.device.starts_with("/dev/"),
                          !crosses(m.mount_point, remote)});
    }
    auto results = pool_->stat_all(requests, start + timeout_);
    std::map<std::string, const StatfsPool::Result*> by_key;
    for (std::size_t i = 0; i < requests.size(); ++i) by_key[requests[i].key] = &results[i];

    for (const auto& m : selected) emit(sink, m, *by_key.at(mount_key(m)));
  }

 private:
  // Whether statfs on the filesystem answers without waiting on another machine or a user-space
  // daemon: a kernel filesystem on a block device (not FUSE's fuseblk) or in memory.
  static bool local_filesystem(const MountEntry& m) {
    if (m.fs_type.starts_with("fuse")) return false;
    return m.device.starts_with("/dev/") || m.fs_type == "tmpfs" || m.fs_type == "ramfs";
  }

  // Whether the path to `mount_point`, or the mount point itself, is one of `mount_points`: a
  // path lookup through a hung NFS mount hangs too, whatever is mounted at its end.
  static bool crosses(std::string_view mount_point,
                      const std::unordered_set<std::string>& mount_points) {
    if (mount_points.empty()) return false;
    if (mount_points.contains("/")) return true;
    for (std::size_t end = 1; end <= mount_point.size(); ++end) {
      if (end < mount_point.size() && mount_point[end] != '/') continue;
      if (mount_points.contains(std::string(mount_point.substr(0, end)))) return true;
    }
    return false;
  }

  // The pool's key for a mount: the place and what is mounted there.
  static std::string mount_key(const MountEntry& m) {
    std::string key = m.mount_point;
    key.push_back('\0');
    key += m.device;
    return key;
  }

  std::vector<MountEntry> read_mount_table() const {
    // PID 1's table is the host's even when nodeprobe runs in its own mount namespace
    // (node_exporter reads /proc/1/mounts for the same reason). mountinfo is preferred over
    // mounts: it separates the superblock's options, so a filesystem read-only underneath a
    // read-write bind mount is seen. /proc/mounts is the fallback where hidepid hides PID 1.
    std::string text;
    int err = 0;
    if (try_read_file(paths_.proc("1/mountinfo"), text, err))
      return checked(parse_mountinfo(text), text, "1/mountinfo");
    auto path = paths_.proc("mounts");
    text = read_file(path);
    return checked(parse_mounts(text), text, "mounts");
  }

  std::vector<MountEntry> checked(std::vector<MountEntry> mounts, std::string_view text,
                                  std::string_view file) const {
    if (mounts.empty() && !trim(text).empty()) {
      throw std::runtime_error(paths_.proc(file) + ": no mount entries found");
    }
    return mounts;
  }

  static void emit(MetricSink& sink, const MountEntry& m, const StatfsPool::Result& result) {
    using Status = StatfsPool::Result::Status;
    std::string error;
    if (result.status != Status::kAnswered) {
      error = kTimeoutError;
    } else if (result.answer.error != 0) {
      error = errno_text(result.answer.error);
      log::debug("statfs failed", {{"mountpoint", m.mount_point}, {"err", error}});
    }
    // node_exporter releases since 1.7 add device_error to every family; Prometheus stores an
    // empty label as no label, so it is written only when there is an error, which keeps the
    // label set of 1.5 on a healthy host.
    Labels labels = {{"device", m.device}, {"fstype", m.fs_type}, {"mountpoint", m.mount_point}};
    if (!error.empty()) labels.push_back({"device_error", error});

    sink.gauge("node_filesystem_device_error",
               "Whether an error occurred while getting statistics for the given device.",
               error.empty() ? 0 : 1, labels);
    sink.gauge("node_filesystem_readonly", "Filesystem read-only status.", m.read_only ? 1 : 0,
               labels);
    if (!error.empty()) return;
    const auto& a = result.answer;
    sink.gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", a.size_bytes, labels);
    sink.gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", a.free_bytes,
               labels);
    sink.gauge("node_filesystem_avail_bytes",
               "Filesystem space available to non-root users in bytes.", a.avail_bytes, labels);
    sink.gauge("node_filesystem_files", "Filesystem total file nodes.", a.files, labels);
    sink.gauge("node_filesystem_files_free", "Filesystem total free file nodes.", a.files_free,
               labels);
  }

  StatfsFunction statfs_;
  std::string mount_exclude_ = std::string(kDefaultMountPointsExclude);
  std::string mount_include_;
  std::string old_mount_exclude_;
  std::string type_exclude_ = std::string(kDefaultFsTypesExclude);
  std::string type_include_;
  std::string old_type_exclude_;
  std::string mount_timeout_ = "5s";
  double stat_workers_ = 4;
  std::string mount_exclude_flag_, mount_include_flag_, old_mount_flag_;
  std::string type_exclude_flag_, type_include_flag_, old_type_flag_;
  std::string timeout_flag_, workers_flag_;

  DeviceFilter mount_filter_, type_filter_;
  std::chrono::milliseconds timeout_{5000};
  std::unique_ptr<StatfsPool> pool_;
};

}  // namespace

std::unique_ptr<Collector> make_filesystem_collector(StatfsFunction statfs) {
  return std::make_unique<FilesystemCollector>(std::move(statfs));
}

std::unique_ptr<Collector> make_filesystem_collector() {
  return make_filesystem_collector(statfs_path);
}

}  // namespace nodeprobe

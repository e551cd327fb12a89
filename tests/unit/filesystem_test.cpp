#include "collectors/filesystem.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "agent/exposition.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/statfs_pool.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

// --- parsers ---------------------------------------------------------------------------------

TEST(ParseMountinfo, RealSample) {
  auto mounts = parse_mountinfo(
      "28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
      "44 28 0:37 / /srv/media\\040library rw,nosuid shared:33 master:2 - fuse.sshfs "
      "media@host:/my\\040lib rw,user_id=1000\n"
      "46 41 253:0 /alice /srv/alice ro,relatime shared:35 - xfs /dev/mapper/vg0-home rw,attr2\n"
      "49 28 259:3 / /data rw,relatime - btrfs /dev/nvme0n1p3 ro,space_cache=v2\n"
      "50 28 0:50 / /empty\\011source rw,relatime - tmpfs  rw\n"
      "51 28 0:51 / /robin rw,relatime - tmpfs tmpfs rw,errors=ro\n");
  ASSERT_EQ(mounts.size(), 6u);
  EXPECT_EQ(mounts[0].device, "/dev/nvme0n1p2");
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fs_type, "ext4");
  EXPECT_FALSE(mounts[0].read_only);
  // Optional fields (shared:, master:) before the separator; escaped spaces.
  EXPECT_EQ(mounts[1].mount_point, "/srv/media library");
  EXPECT_EQ(mounts[1].device, "media@host:/my lib");
  EXPECT_EQ(mounts[1].fs_type, "fuse.sshfs");
  // Read-only per mount (a bind mount) or per superblock.
  EXPECT_TRUE(mounts[2].read_only);
  EXPECT_TRUE(mounts[3].read_only);
  // An empty source keeps its place between single spaces.
  EXPECT_EQ(mounts[4].mount_point, "/empty\tsource");
  EXPECT_EQ(mounts[4].fs_type, "tmpfs");
  EXPECT_EQ(mounts[4].device, "");
  // "errors=ro" is not "ro".
  EXPECT_FALSE(mounts[5].read_only);
}

TEST(ParseMountinfo, EmptyGivesNothing) {
  EXPECT_TRUE(parse_mountinfo("").empty());
  EXPECT_TRUE(parse_mountinfo("\n\n").empty());
}

TEST(ParseMountinfo, TruncatedLineIsSkipped) {
  EXPECT_TRUE(parse_mountinfo("28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2").empty());
  EXPECT_TRUE(parse_mountinfo("28 1 259:2 / / rw,relatime shared:1 -").empty());
  EXPECT_TRUE(parse_mountinfo("28 1 259:2 / /").empty());
  auto mounts = parse_mountinfo(
      "28 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n40 28 259:1 / /boot/efi rw - vfat /dev/nv");
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mount_point, "/");
}

TEST(ParseMountinfo, GarbageLinesAreSkipped) {
  auto mounts = parse_mountinfo(
      "\x7f"
      "ELF\x02\x01\x00\x00\xff\xfe\n"
      "not a mount table at all , really not\n"
      "28 1 259:2 / / rw,relatime shared:1 ext4 /dev/nvme0n1p2 rw x\n"  // no separator
      "28 1 259:2 / relative rw - ext4 /dev/x rw\n"
      "x 1 259:2 / /x rw - ext4 /dev/x rw\n"
      "28 1 2592 / /y rw - ext4 /dev/y rw\n"
      "28  1 259:2 / /z rw - ext4 /dev/z rw\n"  // two spaces shift every field
      "41 28 253:0 / /home rw,relatime - xfs /dev/mapper/vg0-home rw\n"s);
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mount_point, "/home");
}

TEST(ParseMountinfo, OversizedInput) {
  std::string text;
  for (int i = 0; i < 50000; ++i) {
    text += std::to_string(100 + i) + " 28 0:" + std::to_string(i) + " / /srv/m" +
            std::to_string(i) + " rw,relatime shared:1 - tmpfs tmpfs rw,size=1024k\n";
  }
  auto mounts = parse_mountinfo(text);
  ASSERT_EQ(mounts.size(), 50000u);
  EXPECT_EQ(mounts.back().mount_point, "/srv/m49999");
}

TEST(ParseMounts, RealSampleAndBrokenLines) {
  auto mounts = parse_mounts(
      "/dev/nvme0n1p2 / ext4 rw,relatime,errors=remount-ro 0 0\n"
      "media@host:/lib /srv/media\\040library fuse.sshfs rw,nosuid 0 0\n"
      "/dev/mapper/vg0-home /srv/alice xfs ro,relatime 0 0\n"
      "\n"
      "garbage\n"
      "/dev/sda1 relative ext4 rw 0 0\n"
      "/dev/sda1 /trunc");
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].device, "/dev/nvme0n1p2");
  EXPECT_EQ(mounts[1].mount_point, "/srv/media library");
  EXPECT_TRUE(mounts[2].read_only);
  EXPECT_FALSE(mounts[0].read_only);
  EXPECT_TRUE(parse_mounts("").empty());
}

TEST(UnescapeMountField, OctalEscapes) {
  EXPECT_EQ(unescape_mount_field("/a\\040b\\011c\\012d\\134e"), "/a b\tc\nd\\e");
  EXPECT_EQ(unescape_mount_field("\\04"), "\\04");      // cut short: kept
  EXPECT_EQ(unescape_mount_field("\\089"), "\\089");    // not octal: kept
  EXPECT_EQ(unescape_mount_field("\\777x"), "\\777x");  // past a byte: kept
  EXPECT_EQ(unescape_mount_field(""), "");
}

TEST(StripRootfs, WholeComponentsOnly) {
  EXPECT_EQ(strip_rootfs("/host/data", "/host"), "/data");
  EXPECT_EQ(strip_rootfs("/host", "/host"), "/");
  EXPECT_EQ(strip_rootfs("/host/data", "/host/"), "/data");
  EXPECT_EQ(strip_rootfs("/hostile", "/host"), "/hostile");
  EXPECT_EQ(strip_rootfs("/data", "/host"), "/data");
  EXPECT_EQ(strip_rootfs("/data", "/"), "/data");
  EXPECT_EQ(strip_rootfs("/", ""), "/");
}

TEST(ParseGoDuration, NodeExporterSpellings) {
  EXPECT_EQ(parse_go_duration("5s"), std::chrono::nanoseconds(5s));
  EXPECT_EQ(parse_go_duration("500ms"), std::chrono::nanoseconds(500ms));
  EXPECT_EQ(parse_go_duration("1m30s"), std::chrono::nanoseconds(90s));
  EXPECT_EQ(parse_go_duration("1.5s"), std::chrono::nanoseconds(1500ms));
  EXPECT_EQ(parse_go_duration("2h"), std::chrono::nanoseconds(2h));
  EXPECT_EQ(parse_go_duration("250us"), std::chrono::nanoseconds(250us));
  EXPECT_EQ(parse_go_duration("0"), std::chrono::nanoseconds(0));
  for (const char* bad : {"", "5", "s", "5x", "-5s", "5 s", "1e3s", "5s ", "..s", "99999999999h"}) {
    EXPECT_FALSE(parse_go_duration(bad)) << bad;
  }
}

// --- the collector on fixture trees, with a statfs of the test's own ---------------------------

// statfs answers by mount point (the path with --path.rootfs taken off). Mount points in `hung`
// block until release(); the counts let tests check what the pool asked and how many calls it
// had under way at once.
class FakeStatfs {
 public:
  explicit FakeStatfs(std::string rootfs) : rootfs_(std::move(rootfs)) {}

  void answer(const std::string& mount_point, StatfsAnswer a) {
    std::lock_guard lock(mu_);
    answers_[mount_point] = a;
  }
  void hang(const std::string& mount_point) {
    std::lock_guard lock(mu_);
    hung_.insert(mount_point);
  }
  void release() {
    std::lock_guard lock(mu_);
    hung_.clear();
    released_.notify_all();
  }
  int calls(const std::string& mount_point) {
    std::lock_guard lock(mu_);
    return calls_[mount_point];
  }
  int max_in_flight() {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }
  std::set<std::string> paths_seen() {
    std::lock_guard lock(mu_);
    return paths_;
  }
  // The thread that made the latest call for the mount point.
  std::thread::id last_thread(const std::string& mount_point) {
    std::lock_guard lock(mu_);
    return threads_[mount_point];
  }

  StatfsAnswer operator()(const std::string& path) {
    std::unique_lock lock(mu_);
    paths_.insert(path);
    std::string mp = path.substr(std::min(path.size(), rootfs_.size()));
    if (mp.empty() || mp.front() != '/') mp.insert(0, "/");
    if (mp.size() > 1 && mp.back() == '/') mp.pop_back();
    ++calls_[mp];
    threads_[mp] = std::this_thread::get_id();
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    released_.wait(lock, [&] { return !hung_.contains(mp); });
    --in_flight_;
    auto it = answers_.find(mp);
    if (it != answers_.end()) return it->second;
    StatfsAnswer missing;
    missing.error = ENOENT;
    return missing;
  }

 private:
  std::string rootfs_;
  std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, StatfsAnswer> answers_;
  std::set<std::string> hung_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::thread::id> threads_;
  std::set<std::string> paths_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

// Releases the fake's hung calls when a test ends, passed or not, so no thread stays blocked.
struct ReleaseAtEnd {
  std::shared_ptr<FakeStatfs> fake;
  ~ReleaseAtEnd() { fake->release(); }
};

StatfsAnswer sizes(double block_size, double blocks, double free, double avail, double files,
                   double files_free) {
  StatfsAnswer a;
  a.size_bytes = blocks * block_size;
  a.free_bytes = free * block_size;
  a.avail_bytes = avail * block_size;
  a.files = files;
  a.files_free = files_free;
  return a;
}

// The filesystem collector with its flags parsed and configured, as the agent makes it, but with
// the fake's statfs.
class FilesystemHarness {
 public:
  FilesystemHarness(const HostPaths& paths, std::vector<std::string> args,
                    std::shared_ptr<FakeStatfs> fake)
      : collector_(make_filesystem_collector([fake](const std::string& p) { return (*fake)(p); })) {
    CLI::App app;
    OptionBinder binder(app, "filesystem");
    collector_->add_options(binder);
    std::vector<const char*> argv = {"nodeprobe"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    collector_->configure(paths);
  }

  std::string collect() {
    MetricSink sink;
    collector_->collect(sink);
    std::vector<std::string> problems;
    std::string text;
    for (const auto& family : render_families(sink.take(), &problems)) text += family.text;
    EXPECT_TRUE(problems.empty()) << problems.front();
    return text;
  }

 private:
  std::unique_ptr<Collector> collector_;
};

std::shared_ptr<FakeStatfs> fixture_statfs(const HostPaths& paths) {
  auto fake = std::make_shared<FakeStatfs>(paths.rootfs);
  fake->answer("/", sizes(4096, 24'000'000, 9'000'000, 7'800'000, 6'000'000, 5'100'000));
  fake->answer("/boot/efi", sizes(512, 1'048'576, 900'000, 900'000, 0, 0));
  fake->answer("/home", sizes(4096, 120'000'000, 40'000'000, 40'000'000, 60'000'000, 59'000'000));
  fake->answer("/srv/nfs", sizes(1'048'576, 7'630'000, 2'000'000, 1'900'000, 0, 0));
  fake->answer("/srv/media library", sizes(4096, 1'000'000, 100'000, 100'000, 0, 0));
  fake->answer("/srv/alice",
               sizes(4096, 120'000'000, 40'000'000, 40'000'000, 60'000'000, 59'000'000));
  fake->answer("/tmp", sizes(4096, 2'097'152, 2'000'000, 2'000'000, 4'000'000, 3'999'000));
  fake->answer("/data", sizes(4096, 500'000'000, 123'456'789, 123'456'789, 0, 0));
  StatfsAnswer io_error;
  io_error.error = EIO;
  fake->answer("/srv/share", io_error);
  // /srv/gone has no answer: statfs says ENOENT.
  return fake;
}

// Host paths whose procfs holds only PID 1's mount table, `mountinfo`.
HostPaths with_mountinfo(const TempDir& dir, std::string_view mountinfo) {
  dir.write("proc/1/mountinfo", mountinfo);
  HostPaths paths;
  paths.procfs = dir.path() + "/proc";
  return paths;
}

TEST(FilesystemCollector, MatchesGolden) {
  auto paths = fixture_paths("filesystem/host");
  auto fake = fixture_statfs(paths);
  FilesystemHarness fs(paths, {}, fake);
  expect_golden(fs.collect(), "filesystem/host.golden");
  // statfs runs on the mount point under --path.rootfs.
  EXPECT_TRUE(fake->paths_seen().contains(paths.rootfs + "/srv/media library"));
  EXPECT_TRUE(fake->paths_seen().contains(paths.rootfs + "/"));
}

TEST(FilesystemCollector, FallsBackToProcMounts) {
  auto paths = fixture_paths("filesystem/mounts");
  FilesystemHarness fs(paths, {}, fixture_statfs(paths));
  expect_golden(fs.collect(), "filesystem/mounts.golden");
}

TEST(FilesystemCollector, IncludeAndExcludeFlags) {
  auto paths = fixture_paths("filesystem/host");
  auto fake = fixture_statfs(paths);
  auto only_srv =
      FilesystemHarness(paths, {"--collector.filesystem.mount-points-include=^/srv/"}, fake)
          .collect();
  EXPECT_NE(only_srv.find("mountpoint=\"/srv/nfs\""), std::string::npos);
  EXPECT_EQ(only_srv.find("mountpoint=\"/home\""), std::string::npos);

  auto only_xfs =
      FilesystemHarness(paths, {"--collector.filesystem.fs-types-include=^xfs$"}, fake).collect();
  EXPECT_NE(only_xfs.find("mountpoint=\"/srv/alice\""), std::string::npos);
  EXPECT_EQ(only_xfs.find("ext4"), std::string::npos);

  // The include replaces the default exclude: /run is reported when asked for.
  auto run = FilesystemHarness(paths, {"--collector.filesystem.mount-points-include=^/run$"}, fake)
                 .collect();
  EXPECT_NE(run.find("mountpoint=\"/run\""), std::string::npos);

  auto no_home =
      FilesystemHarness(paths, {"--collector.filesystem.mount-points-exclude=^/(home|srv)"}, fake)
          .collect();
  auto old_flag =
      FilesystemHarness(paths, {"--collector.filesystem.ignored-mount-points=^/(home|srv)"}, fake)
          .collect();
  EXPECT_EQ(no_home.find("/home"), std::string::npos);
  EXPECT_NE(no_home.find("mountpoint=\"/run\""), std::string::npos);  // default exclude gone
  EXPECT_EQ(no_home, old_flag);
}

TEST(FilesystemCollector, BadFlagsAreConfigErrors) {
  auto paths = fixture_paths("filesystem/host");
  auto fake = fixture_statfs(paths);
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--collector.filesystem.mount-timeout=soon"},
           {"--collector.filesystem.mount-timeout=0s"},
           {"--collector.filesystem.stat-workers=0"},
           {"--collector.filesystem.stat-workers=2.5"},
           {"--collector.filesystem.mount-points-exclude=(("},
           {"--collector.filesystem.fs-types-exclude=^x",
            "--collector.filesystem.fs-types-include=^y"},
           {"--collector.filesystem.fs-types-exclude=^x",
            "--collector.filesystem.ignored-fs-types=^y"},
       }) {
    EXPECT_THROW(FilesystemHarness(paths, args, fake), ConfigError) << args[0];
  }
}

TEST(FilesystemCollector, RootfsPrefixIsStripped) {
  TempDir dir;
  // The agent's own /proc seen from a container whose host root is at /host/root: host mounts
  // show under the prefix, the container's own root does not.
  HostPaths paths = with_mountinfo(dir,
                                   "1 0 259:2 / /host/root rw - ext4 /dev/nvme0n1p2 rw\n"
                                   "2 1 259:3 / /host/root/data rw - xfs /dev/nvme0n1p3 rw\n"
                                   "3 0 0:40 / / rw - tmpfs rootfs rw\n"
                                   "4 1 259:4 / /host/rootless rw - ext4 /dev/nvme0n1p4 rw\n");
  paths.rootfs = "/host/root";
  auto fake = std::make_shared<FakeStatfs>(paths.rootfs);
  fake->answer("/", sizes(4096, 10, 5, 4, 3, 2));
  fake->answer("/data", sizes(4096, 20, 5, 4, 3, 2));
  auto text = FilesystemHarness(paths, {}, fake).collect();
  EXPECT_NE(text.find("node_filesystem_size_bytes{device=\"/dev/nvme0n1p2\",fstype=\"ext4\","
                      "mountpoint=\"/\"} 40960"),
            std::string::npos);
  EXPECT_NE(text.find("node_filesystem_size_bytes{device=\"/dev/nvme0n1p3\",fstype=\"xfs\","
                      "mountpoint=\"/data\"} 81920"),
            std::string::npos);
  EXPECT_NE(text.find("mountpoint=\"/host/rootless\""), std::string::npos);
  EXPECT_TRUE(fake->paths_seen().contains("/host/root/data"));
  EXPECT_TRUE(fake->paths_seen().contains("/host/root/"));
}

TEST(FilesystemCollector, BrokenMountTables) {
  auto run = [](std::string_view tree) {
    auto paths = fixture_paths(tree);
    return FilesystemHarness(paths, {}, fixture_statfs(paths)).collect();
  };
  EXPECT_EQ(run("filesystem/empty"), "");
  expect_golden(run("filesystem/truncated"), "filesystem/truncated.golden");
  // One good line among garbage is reported.
  auto garbage = run("filesystem/garbage");
  EXPECT_NE(
      garbage.find("node_filesystem_size_bytes{device=\"/dev/mapper/vg0-home\",fstype=\"xfs\","
                   "mountpoint=\"/home\"} 4.9152e+11"),
      std::string::npos);
  // Only garbage: the collector fails rather than report an empty host.
  TempDir dir;
  dir.write("proc/1/mountinfo",
            "\x7f"
            "ELF\x02\x01\n");
  EXPECT_THROW(run(dir.path()), std::runtime_error);
  // Neither table: the collector fails.
  EXPECT_THROW(run("filesystem/missing"), FileError);
}

// --- hung mounts, with the fake -------------------------------------------------------------

std::string key_labels(const std::string& device, const std::string& type,
                       const std::string& mount_point) {
  return "device=\"" + device + "\",fstype=\"" + type + "\",mountpoint=\"" + mount_point + "\"";
}

std::string timeout_labels(const std::string& device, const std::string& type,
                           const std::string& mount_point) {
  return "device=\"" + device + "\",device_error=\"mountpoint timeout\",fstype=\"" + type +
         "\",mountpoint=\"" + mount_point + "\"";
}

bool contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

TEST(FilesystemCollector, HungMountIsReportedAndComesBack) {
  TempDir dir;
  HostPaths paths = with_mountinfo(dir,
                                   "1 0 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
                                   "2 1 0:40 / /srv/nfs rw - nfs4 nas:/export rw\n"
                                   "3 1 259:3 / /data ro - xfs /dev/nvme0n1p3 rw\n");
  auto fake = std::make_shared<FakeStatfs>("");
  ReleaseAtEnd release_at_end{fake};
  fake->answer("/", sizes(4096, 10, 5, 4, 3, 2));
  fake->answer("/data", sizes(4096, 20, 5, 4, 3, 2));
  fake->answer("/srv/nfs", sizes(4096, 30, 5, 4, 3, 2));
  fake->hang("/srv/nfs");
  FilesystemHarness fs(paths, {"--collector.filesystem.mount-timeout=300ms"}, fake);

  auto first = fs.collect();
  EXPECT_TRUE(contains(first, "node_filesystem_size_bytes{" +
                                  key_labels("/dev/nvme0n1p2", "ext4", "/") + "} 40960"));
  EXPECT_TRUE(contains(first, "node_filesystem_size_bytes{" +
                                  key_labels("/dev/nvme0n1p3", "xfs", "/data") + "} 81920"));
  EXPECT_TRUE(contains(first, "node_filesystem_device_error{" +
                                  timeout_labels("nas:/export", "nfs4", "/srv/nfs") + "} 1"));
  EXPECT_TRUE(contains(first, "node_filesystem_readonly{" +
                                  timeout_labels("nas:/export", "nfs4", "/srv/nfs") + "} 0"));
  EXPECT_TRUE(contains(
      first, "node_filesystem_readonly{" + key_labels("/dev/nvme0n1p3", "xfs", "/data") + "} 1"));
  EXPECT_FALSE(contains(first, "node_filesystem_size_bytes{device=\"nas:/export\""));

  // Still hung: reported at once, and not asked again while its call blocks.
  auto second = fs.collect();
  EXPECT_TRUE(contains(second, "node_filesystem_device_error{" +
                                   timeout_labels("nas:/export", "nfs4", "/srv/nfs") + "} 1"));
  EXPECT_EQ(fake->calls("/srv/nfs"), 1);
  EXPECT_EQ(fake->calls("/"), 2);

  fake->release();
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = fs.collect();
    if (contains(text, "node_filesystem_size_bytes{" +
                           key_labels("nas:/export", "nfs4", "/srv/nfs") + "} 122880")) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(contains(text, "node_filesystem_device_error{" +
                                 key_labels("nas:/export", "nfs4", "/srv/nfs") + "} 0"));
  EXPECT_TRUE(contains(text, "node_filesystem_size_bytes{" +
                                 key_labels("nas:/export", "nfs4", "/srv/nfs") + "} 122880"));
  EXPECT_FALSE(contains(text, "mountpoint timeout"));
}

TEST(FilesystemCollector, TrustedLocalMountsAreAskedOnTheScrapesOwnThread) {
  TempDir dir;
  HostPaths paths = with_mountinfo(dir,
                                   "1 0 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
                                   "2 1 0:30 / /tmp rw - tmpfs tmpfs rw\n"
                                   "3 1 0:40 / /srv/nfs rw - nfs4 nas:/export rw\n"
                                   "4 3 8:17 / /srv/nfs/disk rw - ext4 /dev/sdb1 rw\n"
                                   "5 1 8:33 / /data/usb rw - fuseblk /dev/sdc1 rw\n"
                                   "6 1 0:41 / /srv/nfsdata rw - ext4 /dev/sdd1 rw\n");
  auto fake = std::make_shared<FakeStatfs>("");
  for (const char* mp : {"/", "/tmp", "/srv/nfs", "/srv/nfs/disk", "/data/usb", "/srv/nfsdata"}) {
    fake->answer(mp, sizes(4096, 10, 5, 4, 3, 2));
  }
  FilesystemHarness fs(paths, {}, fake);
  auto scrape = std::this_thread::get_id();

  // A mount not heard from yet goes through the pool, local or not.
  fs.collect();
  EXPECT_NE(fake->last_thread("/"), scrape);
  EXPECT_NE(fake->last_thread("/tmp"), scrape);

  // Once it has answered, a local one is asked on the scrape's thread: a disk's or memory's
  // filesystem, also one whose name merely begins like a network mount's (/srv/nfsdata).
  auto text = fs.collect();
  EXPECT_EQ(fake->last_thread("/"), scrape);
  EXPECT_EQ(fake->last_thread("/tmp"), scrape);
  EXPECT_EQ(fake->last_thread("/srv/nfsdata"), scrape);
  // Not so the network filesystem, a disk mounted beneath it (its path crosses the network
  // mount), and FUSE on a block device (a daemon answers).
  EXPECT_NE(fake->last_thread("/srv/nfs"), scrape);
  EXPECT_NE(fake->last_thread("/srv/nfs/disk"), scrape);
  EXPECT_NE(fake->last_thread("/data/usb"), scrape);
  for (const char* mp : {"/", "/tmp", "/srv/nfs", "/srv/nfs/disk", "/data/usb", "/srv/nfsdata"}) {
    EXPECT_EQ(fake->calls(mp), 2) << mp;
  }
  EXPECT_TRUE(contains(
      text, "node_filesystem_size_bytes{" + key_labels("/dev/nvme0n1p2", "ext4", "/") + "} 40960"));
  EXPECT_TRUE(contains(text, "node_filesystem_size_bytes{" +
                                 key_labels("/dev/sdb1", "ext4", "/srv/nfs/disk") + "} 40960"));
}

TEST(StatfsPool, ACallOnTheCallersThreadThatBlocksIsReportedStuckByOthers) {
  auto fake = std::make_shared<FakeStatfs>("");
  ReleaseAtEnd release_at_end{fake};
  fake->answer("/", sizes(4096, 10, 5, 4, 3, 2));
  StatfsPool::Options options;
  options.workers = 2;
  options.timeout = 100ms;
  StatfsPool pool(options, [fake](const std::string& p) { return (*fake)(p); });
  std::vector<StatfsPool::Request> root = {{"/", "/", true, true}};
  using Status = StatfsPool::Result::Status;
  auto far = [] { return StatfsPool::Clock::now() + 10s; };

  ASSERT_EQ(pool.stat_all(root, far())[0].status, Status::kAnswered);  // via the pool: trusted
  fake->hang("/");
  std::vector<StatfsPool::Result> blocked;
  std::thread first([&] { blocked = pool.stat_all(root, far()); });
  while (fake->calls("/") < 2) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(fake->last_thread("/"), first.get_id());

  // Another caller joins the call, reports it stuck once it is past the timeout, and does not
  // ask again; no pool thread is held by it.
  auto second = pool.stat_all(root, far());
  EXPECT_EQ(second[0].status, Status::kStuck);
  EXPECT_EQ(fake->calls("/"), 2);
  EXPECT_EQ(pool.stuck_threads(), 0u);

  fake->release();
  first.join();
  ASSERT_EQ(blocked.size(), 1u);
  EXPECT_EQ(blocked[0].status, Status::kAnswered);
  EXPECT_EQ(blocked[0].answer.size_bytes, 40960);
  // Having blocked past the timeout, the mount is asked through the pool again until it answers
  // in time once more.
  auto after = pool.stat_all(root, far());
  EXPECT_EQ(after[0].status, Status::kAnswered);
  EXPECT_NE(fake->last_thread("/"), std::this_thread::get_id());
  pool.stat_all(root, far());
  EXPECT_EQ(fake->last_thread("/"), std::this_thread::get_id());
}

TEST(FilesystemCollector, ManyHungMountsHoldABoundedNumberOfCalls) {
  TempDir dir;
  std::string table = "1 0 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n";
  auto fake = std::make_shared<FakeStatfs>("");
  ReleaseAtEnd release_at_end{fake};
  fake->answer("/", sizes(4096, 10, 5, 4, 3, 2));
  for (int i = 0; i < 50; ++i) {
    std::string mp = "/net/m" + std::to_string(i);
    table += std::to_string(10 + i) + " 1 0:" + std::to_string(40 + i) + " / " + mp +
             " rw - nfs4 nas:" + mp + " rw\n";
    fake->answer(mp, sizes(4096, 1, 1, 1, 1, 1));
    fake->hang(mp);
  }
  // A local disk listed after the hung mounts, first seen on the second scrape.
  std::string late = table + "99 1 259:3 / /data rw - xfs /dev/nvme0n1p3 rw\n";
  fake->answer("/data", sizes(4096, 20, 5, 4, 3, 2));
  HostPaths paths = with_mountinfo(dir, table);
  FilesystemHarness fs(
      paths,
      {"--collector.filesystem.mount-timeout=300ms", "--collector.filesystem.stat-workers=2"},
      fake);

  for (int scrape = 0; scrape < 5; ++scrape) {
    if (scrape == 1) dir.write("proc/1/mountinfo", late);
    auto text = fs.collect();
    // The local disk that answered before is always served: one thread is kept for it.
    EXPECT_TRUE(contains(text, "node_filesystem_size_bytes{" +
                                   key_labels("/dev/nvme0n1p2", "ext4", "/") + "} 40960"))
        << "scrape " << scrape;
    // A block device is asked before network mounts, so a new local disk is served too.
    if (scrape >= 1) {
      EXPECT_TRUE(contains(text, "node_filesystem_size_bytes{" +
                                     key_labels("/dev/nvme0n1p3", "xfs", "/data") + "} 81920"))
          << "scrape " << scrape;
    }
    for (int i = 0; i < 50; ++i) {
      std::string mp = "/net/m" + std::to_string(i);
      ASSERT_TRUE(contains(
          text, "node_filesystem_device_error{" + timeout_labels("nas:" + mp, "nfs4", mp) + "} 1"))
          << mp << " scrape " << scrape;
    }
  }
  // Two workers plus at most two replacements for blocked ones; the rest stay queued.
  EXPECT_LE(fake->max_in_flight(), 4);
  int asked = 0;
  for (int i = 0; i < 50; ++i) asked += fake->calls("/net/m" + std::to_string(i));
  EXPECT_LE(asked, 4);

  fake->release();
  std::string text;
  auto all_back = [&] {
    for (int i = 0; i < 50; ++i) {
      std::string mp = "/net/m" + std::to_string(i);
      if (!contains(text, "node_filesystem_size_bytes{" + key_labels("nas:" + mp, "nfs4", mp) +
                              "} 4096")) {
        return false;
      }
    }
    return true;
  };
  for (int i = 0; i < 200 && !all_back(); ++i) {
    text = fs.collect();
    if (!all_back()) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(all_back()) << text;
  EXPECT_LE(fake->max_in_flight(), 4);
}

TEST(FilesystemCollector, UnmountedHungMountIsForgotten) {
  TempDir dir;
  HostPaths paths = with_mountinfo(dir,
                                   "1 0 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
                                   "2 1 0:40 / /srv/nfs rw - nfs4 nas:/export rw\n");
  auto fake = std::make_shared<FakeStatfs>("");
  ReleaseAtEnd release_at_end{fake};
  fake->answer("/", sizes(4096, 10, 5, 4, 3, 2));
  fake->hang("/srv/nfs");
  FilesystemHarness fs(paths, {"--collector.filesystem.mount-timeout=300ms"}, fake);
  EXPECT_TRUE(contains(fs.collect(), "mountpoint timeout"));
  dir.write("proc/1/mountinfo", "1 0 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n");
  auto text = fs.collect();
  EXPECT_FALSE(contains(text, "/srv/nfs"));
  fake->release();
  // Its late answer is dropped; mounted again, it is asked afresh.
  dir.write("proc/1/mountinfo",
            "1 0 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
            "2 1 0:40 / /srv/nfs rw - nfs4 nas:/export rw\n");
  for (int i = 0; i < 200 && contains(text = fs.collect(), "mountpoint timeout"); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(contains(text,
                       "node_filesystem_device_error{device=\"nas:/export\",device_error="
                       "\"no such file or directory\",fstype=\"nfs4\",mountpoint=\"/srv/nfs\"} 1"));
}

}  // namespace
}  // namespace nodeprobe

// node_zfs_*: OpenZFS statistics from /proc/spl/kstat/zfs, as node_exporter 1.5: the module's
// kstats (ARC, ZIL, ...) and, per pool, I/O counters, datasets' object set counters and state.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/zfs_kstat.h"

namespace nodeprobe {
namespace {

// node_exporter 1.5's subsystem names and the kstat file each is read from. dbufstats came in a
// later release.
constexpr std::pair<std::string_view, std::string_view> kSubsystems[] = {
    {"zfs_abd", "abdstats"},
    {"zfs_arc", "arcstats"},
    {"zfs_dmu_tx", "dmu_tx"},
    {"zfs_dnode", "dnodestats"},
    {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"},
    {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"},
    {"zfs_zfetch", "zfetchstats"},
    {"zfs_zil", "zil"},
};

// spa_state_to_name()'s names, lowercased, that node_exporter 1.5 reports (not "suspended").
constexpr std::string_view kPoolStates[] = {"online",  "degraded", "faulted",
                                            "offline", "removed",  "unavail"};

constexpr std::string_view kUint64 = "4";  // KSTAT_DATA_UINT64; 1.5 skips every other type

// node_exporter's metric name for a kstat: the part after the last dot, dashes made
// underscores.
std::string metric_suffix(std::string_view name) {
  std::string s(name.substr(name.rfind('.') + 1));
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

class ZfsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::string base = paths_.proc("spl/kstat/zfs");
    int err = 0;
    auto entries = list_directory(base, err);
    // No zfs module loaded: node_exporter logs at debug level and reports no data.
    if (!entries) throw FeatureAbsent(base + ": ZFS / ZFS statistics are not available");

    for (const auto& [subsystem, file] : kSubsystems) {
      std::string text;
      // Kstat files come with ZFS features; a missing one is skipped, as node_exporter does.
      if (!try_read_file(base + "/" + std::string(file), text, err)) continue;
      std::string prefix = "node_" + std::string(subsystem) + "_";
      std::string help = "kstat.zfs.misc." + std::string(file) + ".";
      try {
        for (const auto& v : parse_kstat_named(text)) {
          if (v.type != kUint64) continue;
          sink.untyped(prefix + metric_suffix(v.name), help + v.name,
                       static_cast<double>(kstat_uint64(v.data, help + v.name)));
        }
      } catch (const KstatError& e) {
        throw KstatError(base + "/" + std::string(file) + ": " + e.what());
      }
    }

    // Pools are the directories holding the per-pool kstats.
    for (const auto& pool : *entries) {
      std::string dir = base + "/" + pool;
      auto files = list_directory(dir, err);
      if (!files) continue;  // a kstat file, not a pool
      try {
        collect_pool(sink, pool, dir, *files);
      } catch (const KstatError& e) {
        throw KstatError(dir + ": " + e.what());
      }
    }
  }

 private:
  static void collect_pool(MetricSink& sink, const std::string& pool, const std::string& dir,
                           const std::vector<std::string>& files) {
    if (std::binary_search(files.begin(), files.end(), "io")) {
      for (const auto& [field, value] : parse_kstat_io(read_file(dir + "/io"))) {
        sink.untyped("node_zfs_zpool_" + metric_suffix(field), "kstat.zfs.misc.io." + field,
                     static_cast<double>(value), {{"zpool", pool}});
      }
    }
    for (const auto& file : files) {
      if (file.starts_with("objset-")) collect_objset(sink, pool, dir + "/" + file);
    }
    if (std::binary_search(files.begin(), files.end(), "state")) {
      std::string text = read_file(dir + "/state");
      std::string state(text.substr(0, text.find('\n')));
      std::transform(state.begin(), state.end(), state.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      for (auto name : kPoolStates) {
        sink.gauge("node_zfs_zpool_state", "kstat.zfs.misc.state", state == name ? 1 : 0,
                   {{"zpool", pool}, {"state", std::string(name)}});
      }
    }
  }

  // A dataset's object set kstat: its name, then its uint64 counters.
  static void collect_objset(MetricSink& sink, const std::string& pool, const std::string& path) {
    std::string zpool, dataset;  // empty for values before the dataset_name line, as in 1.5
    for (const auto& v : parse_kstat_named(read_file(path))) {
      if (v.name == "dataset_name") {
        zpool = pool;
        dataset = v.data;
        continue;
      }
      if (v.type != kUint64) continue;
      std::string key = "kstat.zfs.misc.objset." + v.name;
      sink.untyped("node_zfs_zpool_dataset_" + metric_suffix(v.name), key,
                   static_cast<double>(kstat_uint64(v.data, key)),
                   {{"zpool", zpool}, {"dataset", dataset}});
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_zfs_collector() { return std::make_unique<ZfsCollector>(); }

}  // namespace nodeprobe

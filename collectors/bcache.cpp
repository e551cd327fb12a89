// node_bcache_*: bcache cache sets from /sys/fs/bcache/<set-uuid> (Documentation/admin-guide/
// bcache.rst), their backing devices (bdev*) and cache devices (cache*), as node_exporter 1.5.
#include <cctype>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/bcache_values.h"

namespace nodeprobe {
namespace {

// procfs fails the whole collection on any file it cannot read or parse, missing ones included.
class SetReader {
 public:
  explicit SetReader(std::string dir) : dir_(std::move(dir)) {}

  std::string text(const std::string& relative) const { return read_file(dir_ + "/" + relative); }

  // procfs drops the last byte (the newline) before parsing; an empty file is an error there
  // (a panic in node_exporter 1.5).
  double value(const std::string& relative) const {
    std::string t = text(relative);
    auto v =
        t.empty() ? std::nullopt : bcache_dehumanize(std::string_view(t).substr(0, t.size() - 1));
    if (!v) throw std::runtime_error(dir_ + "/" + relative + ": not a bcache value");
    return static_cast<double>(*v);
  }

 private:
  std::string dir_;
};

struct Period {
  const char* file;
  const char* name;
  const char* help;
};

// <bdev>/stats_total: per backing device, counters.
constexpr Period kTotals[] = {
    {"bypassed", "node_bcache_bypassed_bytes_total",
     "Amount of IO (both reads and writes) that has bypassed the cache."},
    {"cache_hits", "node_bcache_cache_hits_total",
     "Hits counted per individual IO as bcache sees them."},
    {"cache_misses", "node_bcache_cache_misses_total",
     "Misses counted per individual IO as bcache sees them."},
    {"cache_bypass_hits", "node_bcache_cache_bypass_hits_total",
     "Hits for IO intended to skip the cache."},
    {"cache_bypass_misses", "node_bcache_cache_bypass_misses_total",
     "Misses for IO intended to skip the cache."},
    {"cache_miss_collisions", "node_bcache_cache_miss_collisions_total",
     "Instances where data insertion from cache miss raced with write (data already present)."},
    {"cache_readaheads", "node_bcache_cache_readaheads_total",
     "Count of times readahead occurred."},
};

// The cache set's own attributes: gauges.
constexpr Period kSetGauges[] = {
    {"average_key_size", "node_bcache_average_key_size_sectors",
     "Average data per key in the btree (sectors)."},
    {"btree_cache_size", "node_bcache_btree_cache_size_bytes",
     "Amount of memory currently used by the btree cache."},
    {"cache_available_percent", "node_bcache_cache_available_percent",
     "Percentage of cache device without dirty data, usable for writeback (may contain clean "
     "cached data)."},
    {"congested", "node_bcache_congested", "Congestion."},
    {"root_usage_percent", "node_bcache_root_usage_percent",
     "Percentage of the root btree node in use (tree depth increases if too high)."},
    {"tree_depth", "node_bcache_tree_depth", "Depth of the btree."},
    {"internal/active_journal_entries", "node_bcache_active_journal_entries",
     "Number of journal entries that are newer than the index."},
    {"internal/btree_nodes", "node_bcache_btree_nodes", "Total nodes in the btree."},
};

// The members of a set named <prefix><digits>, as procfs's globs bdev[0-9]* and cache[0-9]*.
std::vector<std::string> members(const std::vector<std::string>& entries, std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (e.size() > prefix.size() && e.starts_with(prefix) &&
        std::isdigit(static_cast<unsigned char>(e[prefix.size()]))) {
      out.push_back(e);
    }
  }
  return out;
}

class BcacheCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.flag("priorityStats", priority_stats_, "Expose expensive priority stats.");
  }

  void collect(MetricSink& sink) override {
    // No bcache module or no cache set: no output, a successful collection, as node_exporter's
    // glob fs/bcache/*-* that matches nothing.
    std::string base = paths_.sys("fs/bcache");
    int err = 0;
    auto sets = list_directory(base, err);
    if (!sets) {
      if (err == ENOENT || err == ENOTDIR) return;
      throw FileError(base, err);
    }
    for (const auto& uuid : *sets) {
      if (uuid.find('-') == std::string::npos) continue;  // "register", "register_quiet", ...
      collect_set(sink, base + "/" + uuid, uuid);
    }
  }

 private:
  void collect_set(MetricSink& sink, const std::string& dir, const std::string& uuid) const {
    SetReader set(dir);
    for (const auto& g : kSetGauges)
      sink.gauge(g.name, g.help, set.value(g.file), {{"uuid", uuid}});
    // node_exporter 1.5 scales the microseconds as if they were nanoseconds.
    sink.gauge("node_bcache_btree_read_average_duration_seconds", "Average btree read duration.",
               set.value("internal/btree_read_average_duration_us") * 1e-9, {{"uuid", uuid}});
    sink.counter("node_bcache_cache_read_races_total",
                 "Counts instances where while data was being read from the cache, the bucket was "
                 "reused and invalidated - i.e. where the pointer was stale after the read "
                 "completed.",
                 set.value("internal/cache_read_races"), {{"uuid", uuid}});
    // procfs reads (and so checks) the set's period statistics too, without exporting them.
    for (const char* period : {"stats_five_minute", "stats_total"}) {
      for (const auto& t : kTotals) set.value(std::string(period) + "/" + t.file);
    }

    int err = 0;
    auto entries = list_directory(dir, err);
    if (!entries) throw FileError(dir, err);
    for (const auto& bdev : members(*entries, "bdev")) collect_backing(sink, set, uuid, bdev);
    for (const auto& cache : members(*entries, "cache")) collect_cache(sink, set, uuid, cache);
  }

  static void collect_backing(MetricSink& sink, const SetReader& set, const std::string& uuid,
                              const std::string& bdev) {
    Labels labels = {{"uuid", uuid}, {"backing_device", bdev}};
    sink.gauge("node_bcache_dirty_data_bytes",
               "Amount of dirty data for this backing device in the cache.",
               set.value(bdev + "/dirty_data"), labels);
    auto debug = parse_bcache_writeback_rate_debug(set.text(bdev + "/writeback_rate_debug"));
    if (!debug) throw std::runtime_error(bdev + "/writeback_rate_debug: cannot parse");
    sink.gauge("node_bcache_dirty_target_bytes",
               "Current dirty data target threshold for this backing device in bytes.",
               static_cast<double>(debug->target), labels);
    sink.gauge("node_bcache_writeback_rate",
               "Current writeback rate for this backing device in bytes.",
               static_cast<double>(debug->rate), labels);
    sink.gauge("node_bcache_writeback_rate_proportional_term",
               "Current result of proportional controller, part of writeback rate",
               static_cast<double>(debug->proportional), labels);
    sink.gauge("node_bcache_writeback_rate_integral_term",
               "Current result of integral controller, part of writeback rate",
               static_cast<double>(debug->integral), labels);
    sink.gauge("node_bcache_writeback_change",
               "Last writeback rate change step for this backing device.",
               static_cast<double>(debug->change), labels);
    // As for the set: procfs checks the five-minute statistics too, without exporting them.
    for (const auto& t : kTotals) set.value(bdev + "/stats_five_minute/" + t.file);
    for (const auto& t : kTotals) {
      sink.counter(t.name, t.help, set.value(bdev + "/stats_total/" + t.file), labels);
    }
  }

  void collect_cache(MetricSink& sink, const SetReader& set, const std::string& uuid,
                     const std::string& cache) const {
    Labels labels = {{"uuid", uuid}, {"cache_device", cache}};
    sink.gauge("node_bcache_io_errors",
               "Number of errors that have occurred, decayed by io_error_halflife.",
               set.value(cache + "/io_errors"), labels);
    sink.counter("node_bcache_metadata_written_bytes_total",
                 "Sum of all non data writes (btree writes and all other metadata).",
                 set.value(cache + "/metadata_written"), labels);
    sink.counter("node_bcache_written_bytes_total",
                 "Sum of all data that has been written to the cache.",
                 set.value(cache + "/written"), labels);
    if (!priority_stats_) return;  // reading priority_stats walks every bucket of the cache
    auto priority = parse_bcache_priority_stats(set.text(cache + "/priority_stats"));
    if (!priority) throw std::runtime_error(cache + "/priority_stats: cannot parse");
    sink.gauge("node_bcache_priority_stats_unused_percent",
               "The percentage of the cache that doesn't contain any data.",
               static_cast<double>(priority->unused_percent), labels);
    sink.gauge("node_bcache_priority_stats_metadata_percent", "Bcache's metadata overhead.",
               static_cast<double>(priority->metadata_percent), labels);
  }

  bool priority_stats_ = false;
};

}  // namespace

std::unique_ptr<Collector> make_bcache_collector() { return std::make_unique<BcacheCollector>(); }

}  // namespace nodeprobe

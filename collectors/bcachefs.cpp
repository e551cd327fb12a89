// node_bcachefs_*: bcachefs filesystems from /sys/fs/bcachefs/<uuid> (fs/bcachefs/sysfs.c), as
// node_exporter's bcachefs collector (added after 1.5, default on) reads them through procfs.
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/bcachefs_sysfs.h"

namespace nodeprobe {
namespace {

bool is_directory(const std::string& path, bool follow_links) {
  struct stat st;
  int rc = follow_links ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  return rc == 0 && S_ISDIR(st.st_mode);
}

// A file's text, or nullopt when it does not exist (procfs skips those); other errors throw.
std::optional<std::string> read_optional(const std::string& path) {
  std::string text;
  int err = 0;
  if (try_read_file(path, text, err)) return text;
  if (err == ENOENT) return std::nullopt;
  throw FileError(path, err);
}

// Parses an optional file; a file that does not parse fails the collection, as in procfs.
// A missing file reads as the empty result (an empty map, a zero), as in procfs.
template <typename Parser>
auto parse_optional(const std::string& path, Parser parse)
    -> std::remove_cvref_t<decltype(*parse(""))> {
  auto text = read_optional(path);
  if (!text) return {};
  auto parsed = parse(*text);
  if (!parsed) throw std::runtime_error(path + ": cannot parse");
  return *parsed;
}

class BcachefsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::string base = paths_.sys("fs/bcachefs");
    int err = 0;
    auto entries = list_directory(base, err);
    if (!entries) {
      if (err == ENOENT) throw FeatureAbsent(base + ": no bcachefs");
      throw FileError(base, err);
    }
    bool any = false;
    for (const auto& uuid : *entries) {
      if (!is_directory(base + "/" + uuid, false)) continue;
      collect_filesystem(sink, base + "/" + uuid, uuid);
      any = true;
    }
    // node_exporter reports no data when no filesystem is mounted.
    if (!any) throw FeatureAbsent(base + ": no bcachefs filesystem");
  }

 private:
  static void collect_filesystem(MetricSink& sink, const std::string& dir,
                                 const std::string& uuid) {
    Labels fs = {{"uuid", uuid}};
    sink.gauge("node_bcachefs_info", "Filesystem information.", 1, fs);
    std::uint64_t cache = 0;
    if (auto text = read_optional(dir + "/btree_cache_size"); text && !trim(*text).empty()) {
      auto v = bcachefs_human_bytes(*text);
      if (!v) throw std::runtime_error(dir + "/btree_cache_size: cannot parse");
      cache = *v;
    }
    sink.gauge("node_bcachefs_btree_cache_size_bytes", "Btree cache memory usage in bytes.",
               static_cast<double>(cache), fs);
    for (const auto& [algorithm, c] :
         parse_optional(dir + "/compression_stats", parse_bcachefs_compression)) {
      Labels labels = {{"uuid", uuid}, {"algorithm", algorithm}};
      sink.gauge("node_bcachefs_compression_compressed_bytes", "Compressed size by algorithm.",
                 static_cast<double>(c.compressed), labels);
      sink.gauge("node_bcachefs_compression_uncompressed_bytes", "Uncompressed size by algorithm.",
                 static_cast<double>(c.uncompressed), labels);
    }
    for (const auto& [type, count] : parse_optional(dir + "/errors", parse_bcachefs_errors)) {
      sink.counter("node_bcachefs_errors_total", "Error count by error type.",
                   static_cast<double>(count), {{"uuid", uuid}, {"error_type", type}});
    }
    collect_counters(sink, dir + "/counters", fs);
    for (const auto& [type, w] :
         parse_optional(dir + "/btree_write_stats", parse_bcachefs_btree_writes)) {
      Labels labels = {{"uuid", uuid}, {"type", type}};
      sink.counter("node_bcachefs_btree_writes_total", "Number of btree writes by type.",
                   static_cast<double>(w.count), labels);
      sink.gauge("node_bcachefs_btree_write_average_size_bytes",
                 "Average btree write size by type.", static_cast<double>(w.size), labels);
    }
    int err = 0;
    auto entries = list_directory(dir, err);
    if (!entries) throw FileError(dir, err);
    for (const auto& entry : *entries) {
      if (entry.starts_with("dev-") && is_directory(dir + "/" + entry, false)) {
        collect_device(sink, dir + "/" + entry, uuid, entry.substr(4));
      }
    }
  }

  static void collect_counters(MetricSink& sink, const std::string& dir, const Labels& fs) {
    int err = 0;
    auto names = list_directory(dir, err);
    if (!names) {
      if (err == ENOENT) return;
      throw FileError(dir, err);
    }
    for (const auto& name : *names) {
      if (is_directory(dir + "/" + name, false)) continue;
      auto value = parse_optional(dir + "/" + name, parse_bcachefs_counter);
      sink.counter("node_bcachefs_" + bcachefs_metric_name(name) + "_total",
                   "Bcachefs counter " + name + " since filesystem creation.",
                   static_cast<double>(value), fs);
    }
  }

  static std::uint64_t device_number(const std::string& path) {
    auto text = read_optional(path);
    if (!text) return 0;
    auto v = parse_uint(trim(*text));
    if (!v) throw std::runtime_error(path + ": not a number");
    return *v;
  }

  static void collect_device(MetricSink& sink, const std::string& dir, const std::string& uuid,
                             const std::string& device) {
    // procfs reads label and state ignoring every error.
    auto attribute = [&](const char* file) {
      int err = 0;
      return read_attribute(dir + "/" + file, err).value_or("");
    };
    std::uint64_t bucket_size = 0;
    if (auto raw = attribute("bucket_size"); !raw.empty()) {
      auto v = bcachefs_human_bytes(raw);
      if (!v) throw std::runtime_error(dir + "/bucket_size: cannot parse");
      bucket_size = *v;
    }
    Labels dev = {{"uuid", uuid}, {"device", device}};
    double buckets = static_cast<double>(device_number(dir + "/nbuckets"));
    double durability = static_cast<double>(device_number(dir + "/durability"));
    auto io_done = parse_optional(dir + "/io_done", parse_bcachefs_io_done);
    auto io_errors = parse_optional(dir + "/io_errors", parse_bcachefs_io_errors);
    sink.gauge("node_bcachefs_device_info", "Device information.", 1,
               {{"uuid", uuid},
                {"device", device},
                {"label", attribute("label")},
                {"state", attribute("state")}});
    sink.gauge("node_bcachefs_device_bucket_size_bytes", "Bucket size in bytes.",
               static_cast<double>(bucket_size), dev);
    sink.gauge("node_bcachefs_device_buckets", "Total number of buckets.", buckets, dev);
    sink.gauge("node_bcachefs_device_durability", "Device durability setting.", durability, dev);
    for (const auto& [op, types] : io_done) {
      for (const auto& [type, bytes] : types) {
        sink.counter("node_bcachefs_device_io_done_bytes_total",
                     "IO bytes by operation type and data type.", static_cast<double>(bytes),
                     {{"uuid", uuid}, {"device", device}, {"operation", op}, {"data_type", type}});
      }
    }
    for (const auto& [type, count] : io_errors) {
      sink.counter("node_bcachefs_device_io_errors_total", "IO errors by error type.",
                   static_cast<double>(count),
                   {{"uuid", uuid}, {"device", device}, {"type", type}});
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_bcachefs_collector() {
  return std::make_unique<BcachefsCollector>();
}

}  // namespace nodeprobe

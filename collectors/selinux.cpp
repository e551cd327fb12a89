// node_selinux_* from selinuxfs (/sys/fs/selinux) and /etc/selinux/config.
#include "collectors/selinux.h"

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {

std::optional<AvcCacheStats> parse_avc_cache_stats(std::string_view text) {
  AvcCacheStats out;
  bool header = true;
  bool ok = true;
  for_each_line(text, [&](std::string_view line) {
    if (header) {  // "lookups hits misses allocations reclaims frees"
      header = false;
      return;
    }
    auto fields = split_fields(line);
    if (fields.size() != 6) {
      ok = false;
      return;
    }
    std::uint64_t* sums[] = {&out.lookups,     &out.hits,     &out.misses,
                             &out.allocations, &out.reclaims, &out.frees};
    for (std::size_t i = 0; i < 6; ++i) {
      auto v = parse_uint(fields[i]);
      if (!v) {
        ok = false;
        return;
      }
      *sums[i] += *v;
    }
  });
  if (!ok) return std::nullopt;
  return out;
}

std::optional<AvcHashStats> parse_avc_hash_stats(std::string_view text) {
  AvcHashStats out;
  int seen = 0;
  bool ok = true;
  for_each_line(text, [&](std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    auto key = line.substr(0, colon);
    auto value = trim(line.substr(colon + 1));
    if (key == "entries" || key == "longest chain") {
      auto v = parse_uint(value);
      if (!v) ok = false;
      (key == "entries" ? out.entries : out.longest_chain) = v.value_or(0);
      ++seen;
    } else if (key == "buckets used") {
      auto slash = value.find('/');
      auto used = parse_uint(value.substr(0, slash));
      auto available =
          slash == std::string_view::npos ? std::nullopt : parse_uint(value.substr(slash + 1));
      if (!used || !available) ok = false;
      out.buckets_used = used.value_or(0);
      out.buckets_available = available.value_or(0);
      ++seen;
    }
  });
  if (!ok || seen != 3) return std::nullopt;
  return out;
}

int parse_selinux_config_mode(std::string_view text) {
  int mode = -1;
  bool found = false;
  for_each_line(text, [&](std::string_view line) {
    line = trim(line);
    if (found || line.empty() || line[0] == '#' || line[0] == ';') return;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || line.substr(0, eq) != "SELINUX") return;
    found = true;
    auto value = line.substr(eq + 1);
    while (!value.empty() && value.front() == '"') value.remove_prefix(1);
    while (!value.empty() && value.back() == '"') value.remove_suffix(1);
    if (value == "enforcing") mode = 1;
    if (value == "permissive") mode = 0;
  });
  return mode;
}

namespace {

class SelinuxCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    // go-selinux's test: SELinux is on when selinuxfs is mounted. Without it node_exporter
    // still reports node_selinux_enabled 0, and so do we.
    auto fs = paths_.sys("fs/selinux");
    int err = 0;
    auto enforce = read_attribute(fs + "/enforce", err);
    if (!enforce) {
      if (err != ENOENT && err != ENOTDIR) throw FileError(fs + "/enforce", err);
      sink.gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", 0);
      return;
    }
    sink.gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", 1);

    std::string config;
    int config_mode = -1;
    if (try_read_file(paths_.root("etc/selinux/config"), config, err)) {
      config_mode = parse_selinux_config_mode(config);
    }
    sink.gauge("node_selinux_config_mode", "Configured SELinux enforcement mode", config_mode);
    auto current = parse_int(*enforce);
    sink.gauge("node_selinux_current_mode", "Current SELinux enforcement mode",
               current ? static_cast<double>(*current) : -1);

    auto cache_path = fs + "/avc/cache_stats";
    auto cache = parse_avc_cache_stats(read_file(cache_path));
    if (!cache) throw std::runtime_error(cache_path + ": unexpected format");
    sink.counter("node_selinux_avc_lookups_total", "SELinux AVC lookups",
                 static_cast<double>(cache->lookups));
    sink.counter("node_selinux_avc_hits_total", "SELinux AVC hits",
                 static_cast<double>(cache->hits));
    sink.counter("node_selinux_avc_misses_total", "SELinux AVC misses",
                 static_cast<double>(cache->misses));
    sink.counter("node_selinux_avc_allocations_total", "SELinux AVC allocations",
                 static_cast<double>(cache->allocations));
    sink.counter("node_selinux_avc_reclaims_total", "SELinux AVC reclaims",
                 static_cast<double>(cache->reclaims));
    sink.counter("node_selinux_avc_frees_total", "SELinux AVC frees",
                 static_cast<double>(cache->frees));

    auto hash_path = fs + "/avc/hash_stats";
    auto hash = parse_avc_hash_stats(read_file(hash_path));
    if (!hash) throw std::runtime_error(hash_path + ": unexpected format");
    sink.gauge("node_selinux_avc_hash_entries", "SELinux AVC hash entries",
               static_cast<double>(hash->entries));
    sink.gauge("node_selinux_avc_hash_buckets_available", "SELinux AVC hash buckets available",
               static_cast<double>(hash->buckets_available));
    sink.gauge("node_selinux_avc_hash_buckets_used", "SELinux AVC hash buckets used",
               static_cast<double>(hash->buckets_used));
    sink.gauge("node_selinux_avc_hash_longest_chain", "SELinux AVC hash longest chain",
               static_cast<double>(hash->longest_chain));

    auto threshold_path = fs + "/avc/cache_threshold";
    auto threshold = read_attribute(threshold_path, err);
    if (!threshold) throw FileError(threshold_path, err);
    auto t = parse_uint(*threshold);
    if (!t) throw std::runtime_error(threshold_path + ": not an unsigned integer");
    sink.gauge("node_selinux_avc_threshold", "SELinux AVC threshold", static_cast<double>(*t));
  }
};

}  // namespace

std::unique_ptr<Collector> make_selinux_collector() { return std::make_unique<SelinuxCollector>(); }

}  // namespace nodeprobe

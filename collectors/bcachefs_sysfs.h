#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nodeprobe {

// Parsers for the attribute files of /sys/fs/bcachefs/<uuid> (fs/bcachefs/sysfs.c), as
// prometheus/procfs's bcachefs package reads them for node_exporter (1.10+). Each returns
// nullopt where procfs returns an error.

// "405", "542k", "1.5G": a number with an optional binary unit letter (k, M, G, T, P, E, either
// case).
std::optional<std::uint64_t> bcachefs_human_bytes(std::string_view text);

struct BcachefsCompression {
  std::uint64_t compressed = 0, uncompressed = 0;
};
// compression_stats: a header line, then "<algorithm>: <compressed> <uncompressed> [<average>]".
std::optional<std::map<std::string, BcachefsCompression>> parse_bcachefs_compression(
    std::string_view text);

// errors: "<error type> <count> [<time>]" per line.
std::optional<std::map<std::string, std::uint64_t>> parse_bcachefs_errors(std::string_view text);

// counters/<name>: "since mount: <n>" and "since filesystem creation: <n>"; the second is what
// node_exporter exports (0 when only the first is there). nullopt when neither line is.
std::optional<std::uint64_t> parse_bcachefs_counter(std::string_view text);

struct BcachefsBtreeWrites {
  std::uint64_t count = 0, size = 0;
};
// btree_write_stats: a header line, then "<type>: <count> <average size>".
std::optional<std::map<std::string, BcachefsBtreeWrites>> parse_bcachefs_btree_writes(
    std::string_view text);

// dev-<n>/io_done: "read:" and "write:" sections of "<data type>: <bytes>" lines.
std::optional<std::map<std::string, std::map<std::string, std::uint64_t>>> parse_bcachefs_io_done(
    std::string_view text);

// dev-<n>/io_errors: the "<type>: <count>" lines of the "IO errors since filesystem creation"
// section.
std::optional<std::map<std::string, std::uint64_t>> parse_bcachefs_io_errors(std::string_view text);

// node_exporter's SanitizeMetricName: every run of characters outside [0-9A-Za-z_], with the
// underscores around it, becomes one underscore.
std::string bcachefs_metric_name(std::string_view counter);

}  // namespace nodeprobe

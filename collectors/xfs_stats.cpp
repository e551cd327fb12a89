#include "collectors/xfs_stats.h"

#include <algorithm>
#include <string>
#include <vector>

#include "agent/parse.h"

namespace nodeprobe {
namespace {

// The lines procfs checks (node_exporter 1.5's copy), with the value counts it accepts; `dest`
// is null for those node_exporter does not export (their counts are still checked).
struct KnownLine {
  std::string_view label;
  std::size_t min_count, max_count;
  std::uint32_t* (*dest)(XfsStats&);
};

constexpr KnownLine kKnownLines[] = {
    {"extent_alloc", 4, 4, [](XfsStats& s) { return s.extent_alloc.data(); }},
    {"abt", 4, 4, [](XfsStats& s) { return s.abt.data(); }},
    {"blk_map", 7, 7, [](XfsStats& s) { return s.blk_map.data(); }},
    {"bmbt", 4, 4, [](XfsStats& s) { return s.bmbt.data(); }},
    {"dir", 4, 4, [](XfsStats& s) { return s.dir.data(); }},
    {"trans", 3, 3, nullptr},
    {"ig", 7, 7, [](XfsStats& s) { return s.ig.data(); }},
    {"log", 5, 5, nullptr},
    {"push_ail", 10, 10, nullptr},
    {"xstrat", 2, 2, nullptr},
    {"rw", 2, 2, [](XfsStats& s) { return s.rw.data(); }},
    {"attr", 4, 4, nullptr},
    {"icluster", 3, 3, nullptr},
    // The vnodes "free" counter and the quota manager's "unused" came in later kernels.
    {"vnodes", 7, 8, [](XfsStats& s) { return s.vnodes.data(); }},
    {"buf", 9, 9, nullptr},
    {"abtb2", 15, 15, nullptr},
    {"abtc2", 15, 15, nullptr},
    {"bmbt2", 15, 15, nullptr},
    {"ibt2", 15, 15, nullptr},
    {"qm", 8, 9, nullptr},
    {"xpc", 3, 3, nullptr},
    {"debug", 1, 1, nullptr},
};

}  // namespace

XfsStats parse_xfs_stats(std::string_view text) {
  XfsStats s;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 2) return;
    std::string_view label = fields[0];
    // procfs parses the values of every line, also of lines it does not export; the extended
    // precision (xpc) counters are 64-bit, all others 32-bit.
    std::uint64_t max = label == "xpc" ? UINT64_MAX : UINT32_MAX;
    std::vector<std::uint32_t> values;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      auto v = parse_uint(fields[i]);
      if (!v || *v > max) {
        throw XfsStatsError("invalid value \"" + std::string(fields[i]) + "\" on XFS stats line " +
                            std::string(label));
      }
      values.push_back(static_cast<std::uint32_t>(*v));
    }
    auto known = std::find_if(std::begin(kKnownLines), std::end(kKnownLines),
                              [&](const KnownLine& k) { return k.label == label; });
    if (known == std::end(kKnownLines)) return;
    if (values.size() < known->min_count || values.size() > known->max_count) {
      throw XfsStatsError("incorrect number of values for XFS " + std::string(label) +
                          " stats: " + std::to_string(fields.size() - 1));
    }
    if (known->dest != nullptr) std::copy(values.begin(), values.end(), known->dest(s));
  });
  return s;
}

}  // namespace nodeprobe

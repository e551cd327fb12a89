// node_nf_conntrack_entries, _entries_limit and node_nf_conntrack_stat_* from
// /proc/sys/net/netfilter and /proc/net/stat/nf_conntrack.
#include "collectors/conntrack.h"

#include <charconv>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::optional<ConntrackStat> parse_conntrack_stat(std::string_view text) {
  ConntrackStat total;
  bool header = true;
  bool valid = true;
  for_each_line(text, [&](std::string_view line) {
    if (header) {
      header = false;
      return;
    }
    if (!valid || trim(line).empty()) return;
    auto fields = split_fields(line);
    if (fields.size() != 16 && fields.size() != 17) {
      valid = false;
      return;
    }
    std::uint64_t v[17] = {};
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto parsed = parse_hex(fields[i]);
      if (!parsed) {
        valid = false;
        return;
      }
      v[i] = *parsed;
    }
    total.found += v[2];
    total.invalid += v[4];
    total.ignore += v[5];
    total.insert += v[8];
    total.insert_failed += v[9];
    total.drop += v[10];
    total.early_drop += v[11];
    total.search_restart += v[16];
  });
  if (!valid) return std::nullopt;
  return total;
}

namespace {

class ConntrackCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    sink.gauge("node_nf_conntrack_entries",
               "Number of currently allocated flow entries for connection tracking.",
               read_number("sys/net/netfilter/nf_conntrack_count"));
    sink.gauge("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.",
               read_number("sys/net/netfilter/nf_conntrack_max"));

    auto path = paths_.proc("net/stat/nf_conntrack");
    auto stat = parse_conntrack_stat(read_file(path));
    if (!stat) throw std::runtime_error(path + ": unexpected format");
    auto gauge = [&](const char* name, const char* help, std::uint64_t value) {
      sink.gauge(name, help, static_cast<double>(value));
    };
    gauge("node_nf_conntrack_stat_found", "Number of searched entries which were successful.",
          stat->found);
    gauge("node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked.",
          stat->invalid);
    gauge("node_nf_conntrack_stat_ignore",
          "Number of packets seen which are already connected to a conntrack entry.", stat->ignore);
    gauge("node_nf_conntrack_stat_insert", "Number of entries inserted into the list.",
          stat->insert);
    gauge("node_nf_conntrack_stat_insert_failed",
          "Number of entries for which list insertion was attempted but failed.",
          stat->insert_failed);
    gauge("node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure.",
          stat->drop);
    gauge("node_nf_conntrack_stat_early_drop",
          "Number of dropped conntrack entries to make room for new ones, if maximum table size "
          "was reached.",
          stat->early_drop);
    gauge("node_nf_conntrack_stat_search_restart",
          "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
          stat->search_restart);
  }

 private:
  double read_number(const char* relative) const {
    auto path = paths_.proc(relative);
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err)) {
      // The files come with the nf_conntrack module; without it there is nothing to report.
      if (err == ENOENT) throw FeatureAbsent("nf_conntrack is not loaded (" + path + " is absent)");
      throw FileError(path, err);
    }
    auto value = parse_uint(trim(text));
    if (!value) throw std::runtime_error(path + ": not a number");
    return static_cast<double>(*value);
  }
};

}  // namespace

std::unique_ptr<Collector> make_conntrack_collector() {
  return std::make_unique<ConntrackCollector>();
}

}  // namespace nodeprobe

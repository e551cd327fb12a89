#pragma once

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <string>
#include <string_view>
#include <vector>

#include "agent/string_map.h"

namespace nodeprobe {

using prometheus::MetricType;
using Labels = std::vector<prometheus::ClientMetric::Label>;

// A histogram as a collector hands it over: bucket upper bounds with non-cumulative counts
// (the +Inf bucket is added from `count`), plus the exact sum and count.
struct HistogramValue {
  std::vector<std::pair<double, std::uint64_t>> buckets;  // upper bound, count in this bucket
  double sum = 0;
  std::uint64_t count = 0;
};

struct RenderedFamilies;

// What a collector writes its samples into during one run. Families are created on first use
// and keyed by name, so a collector cannot emit one name twice with different metadata; the
// first HELP and TYPE seen for a name win and a conflicting later sample is dropped and
// counted in dropped().
//
// The framework keeps one sink per collector across scrapes and reset()s it before each run:
// the families' names, HELP texts, index and rendered headers then stay allocated, because a
// collector emits the same families scrape after scrape.
class MetricSink {
 public:
  void gauge(std::string_view name, std::string_view help, double value, Labels labels = {});
  void counter(std::string_view name, std::string_view help, double value, Labels labels = {});
  void untyped(std::string_view name, std::string_view help, double value, Labels labels = {});
  void add(std::string_view name, std::string_view help, MetricType type, double value,
           Labels labels = {});
  void histogram(std::string_view name, std::string_view help, const HistogramValue& value,
                 Labels labels = {});
  // Adds a whole family (the textfile collector); merges with an existing one of the same name
  // and type.
  void add_family(prometheus::MetricFamily family);

  const std::vector<prometheus::MetricFamily>& families() const { return families_; }
  std::vector<prometheus::MetricFamily> take();
  std::size_t dropped() const { return dropped_; }

  // Renders what was written since the last reset (see render_families for the rules).
  RenderedFamilies render(std::vector<std::string>* problems);

  // Empties the sink for the next run. Families that got no sample in the run just ended are
  // forgotten (a textfile that went away), the others keep their name, HELP and header.
  void reset();

 private:
  prometheus::MetricFamily* family(std::string_view name, std::string_view help, MetricType type);

  std::vector<prometheus::MetricFamily> families_;
  std::vector<std::string> headers_;  // each family's rendered HELP and TYPE lines, once known
  StringMap<std::size_t> index_;
  std::size_t dropped_ = 0;
};

}  // namespace nodeprobe

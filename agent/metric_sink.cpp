#include "agent/metric_sink.h"

#include <algorithm>

#include "agent/exposition.h"

namespace nodeprobe {

prometheus::MetricFamily* MetricSink::family(std::string_view name, std::string_view help,
                                             MetricType type) {
  auto it = index_.find(name);
  if (it == index_.end()) {
    index_.emplace(std::string(name), families_.size());
    families_.push_back({std::string(name), std::string(help), type, {}});
    return &families_.back();
  }
  auto* existing = &families_[it->second];
  if (existing->type != type) {
    ++dropped_;
    return nullptr;
  }
  return existing;
}

void MetricSink::add(std::string_view name, std::string_view help, MetricType type, double value,
                     Labels labels) {
  auto* f = family(name, help, type);
  if (f == nullptr) return;
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  switch (type) {
    case MetricType::Counter:
      m.counter.value = value;
      break;
    case MetricType::Gauge:
      m.gauge.value = value;
      break;
    default:
      m.untyped.value = value;
      break;
  }
  f->metric.push_back(std::move(m));
}

void MetricSink::gauge(std::string_view name, std::string_view help, double value, Labels labels) {
  add(name, help, MetricType::Gauge, value, std::move(labels));
}

void MetricSink::counter(std::string_view name, std::string_view help, double value,
                         Labels labels) {
  add(name, help, MetricType::Counter, value, std::move(labels));
}

void MetricSink::untyped(std::string_view name, std::string_view help, double value,
                         Labels labels) {
  add(name, help, MetricType::Untyped, value, std::move(labels));
}

void MetricSink::histogram(std::string_view name, std::string_view help,
                           const HistogramValue& value, Labels labels) {
  auto* f = family(name, help, MetricType::Histogram);
  if (f == nullptr) return;
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.histogram.sample_count = value.count;
  m.histogram.sample_sum = value.sum;
  auto buckets = value.buckets;
  std::sort(buckets.begin(), buckets.end());
  std::uint64_t cumulative = 0;
  for (const auto& [bound, count] : buckets) {
    cumulative += count;
    m.histogram.bucket.push_back({cumulative, bound});
  }
  f->metric.push_back(std::move(m));
}

void MetricSink::add_family(prometheus::MetricFamily incoming) {
  auto* f = family(incoming.name, incoming.help, incoming.type);
  if (f == nullptr) return;
  for (auto& m : incoming.metric) f->metric.push_back(std::move(m));
}

std::vector<prometheus::MetricFamily> MetricSink::take() {
  index_.clear();
  headers_.clear();
  return std::move(families_);
}

RenderedFamilies MetricSink::render(std::vector<std::string>* problems) {
  return render_in_place(families_, problems, &headers_);
}

void MetricSink::reset() {
  dropped_ = 0;
  bool all_used = std::all_of(families_.begin(), families_.end(),
                              [](const auto& f) { return !f.metric.empty(); });
  if (!all_used) {
    // Rare: a family got no sample in the run just ended (a textfile went away). Forget it,
    // keeping the index and the headers of the others in step.
    headers_.resize(families_.size());
    index_.clear();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < families_.size(); ++i) {
      if (families_[i].metric.empty()) continue;
      if (kept != i) {
        families_[kept] = std::move(families_[i]);
        headers_[kept] = std::move(headers_[i]);
      }
      index_.emplace(families_[kept].name, kept);
      ++kept;
    }
    families_.resize(kept);
    headers_.resize(kept);
  }
  for (auto& f : families_) f.metric.clear();
}

}  // namespace nodeprobe

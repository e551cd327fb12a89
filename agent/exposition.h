#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/metric_sink.h"

namespace nodeprobe {

// The output rules, in one place. Every family that reaches /metrics passes through here:
// names are validated, label names sorted, label values made valid UTF-8 and escaped, HELP
// escaped, metrics sorted by their labels, duplicate label sets dropped, histograms completed
// with their +Inf bucket, and values spelled as the Go client spells them (so nodeprobe's
// output reads like node_exporter's, 1.5e+06 and all).

// The families of one collector run rendered to text 0.0.4, one after another in name order,
// in one buffer; each is found by its name for the final merge.
struct RenderedFamilies {
  std::string text;
  struct Span {
    std::uint32_t name_begin, name_size;  // the family's name, within `text`
    std::uint32_t begin, size;            // its HELP, TYPE and samples, within `text`
  };
  std::vector<Span> spans;

  std::size_t size() const { return spans.size(); }
  std::string_view name(std::size_t i) const {
    return std::string_view(text).substr(spans[i].name_begin, spans[i].name_size);
  }
  std::string_view family_text(std::size_t i) const {
    return std::string_view(text).substr(spans[i].begin, spans[i].size);
  }
};

// Validates and renders families; what had to be dropped is described in `problems`.
// The result is sorted by family name. Empty families are left out. The metrics are normalised
// in place (labels sorted, invalid ones removed). `headers`, when given, caches each family's
// HELP and TYPE lines by its index in `families` (MetricSink keeps it across scrapes).
RenderedFamilies render_in_place(std::vector<prometheus::MetricFamily>& families,
                                 std::vector<std::string>* problems,
                                 std::vector<std::string>* headers = nullptr);

// One family rendered on its own; what tests compare.
struct RenderedFamily {
  std::string name;
  std::string text;
};
std::vector<RenderedFamily> render_families(std::vector<prometheus::MetricFamily> families,
                                            std::vector<std::string>* problems);

// Go's strconv.FormatFloat(v, 'g', -1, 64), with NaN, +Inf and -Inf as the format spells them.
std::string format_value(double v);
void append_value(std::string& out, double v);

bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

// Replaces each byte that is not part of valid UTF-8 with U+FFFD.
std::string sanitize_utf8(std::string_view in);

std::string_view type_name(MetricType type);

}  // namespace nodeprobe

#pragma once

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

// One family rendered to text 0.0.4, keyed by name for the final merge.
struct RenderedFamily {
  std::string name;
  std::string text;
};

// Validates and renders families; what had to be dropped is described in `problems`.
// The result is sorted by family name. Empty families are left out.
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

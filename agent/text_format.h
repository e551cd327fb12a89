#pragma once

#include <prometheus/metric_family.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// What parse_text_format found: the families in order of first appearance, or the first error.
struct TextFormatResult {
  std::vector<prometheus::MetricFamily> families;
  // At least one sample carried a timestamp (kept in ClientMetric::timestamp_ms).
  bool has_timestamps = false;
  // Empty on success; otherwise "line N: <problem>", and `families` is empty.
  std::string error;
  std::size_t error_line = 0;

  bool ok() const { return error.empty(); }
};

// Parses the Prometheus text exposition format 0.0.4 with the rules of Go's
// expfmt.TextParser, the parser node_exporter's textfile collector uses, so that a file
// node_exporter rejects is rejected here too:
// - `# HELP` (escapes \\ and \n) and `# TYPE` (counter, gauge, histogram, summary,
//   untyped; any case) at most once per family, TYPE before the family's first sample;
//   other comments and blank lines are skipped.
// - Samples `name{label="value",...} value [timestamp_ms]`; a family without a TYPE line is
//   untyped. Values are Go floats (NaN, +Inf, -Inf, 1e3; no hex, no '_').
// - `name_bucket`/`_sum`/`_count` (histogram) and `name{quantile=..}`/`_sum`/`_count`
//   (summary) are grouped into one metric per label set of the TYPE'd family.
// - Every line, the last included, ends with '\n' (Go reports "unexpected end of input
//   stream" otherwise); trailing blanks after a value are an error, as in Go.
// Differences from Go's data, all on what node_exporter serves in the end: buckets and
// quantiles come out sorted, a repeated bound keeping its last line (node_exporter collapses
// them the same way when it re-exports); families with no samples are left out; a NaN le or
// quantile is an error; a negative or NaN _count is 0 rather than Go's wrapped conversion.
// Work is linear in the input; the caller bounds the input's size.
TextFormatResult parse_text_format(std::string_view text);

}  // namespace nodeprobe

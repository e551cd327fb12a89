#include "collectors/bcache_values.h"

#include <string>

#include "agent/parse.h"

namespace nodeprobe {
namespace {

// procfs's parsePseudoFloat: the integer part, plus the part after the (first) dot / 10.24.
std::optional<double> pseudo_float(std::string_view s) {
  auto dot = s.find('.');
  auto whole = parse_double(s.substr(0, dot));
  if (!whole || dot == std::string_view::npos) return whole;
  auto rest = s.substr(dot + 1);
  auto frac = parse_double(rest.substr(0, rest.find('.')));
  if (!frac) return std::nullopt;
  return *whole + *frac / 10.24;
}

// Go's uint64(float64) for the values bcache prints; negative and NaN are 0 rather than
// whatever the conversion would give.
std::uint64_t to_uint64(double v) {
  if (!(v > 0)) return 0;
  if (v >= 18446744073709551615.0) return UINT64_MAX;
  return static_cast<std::uint64_t>(v);
}

std::string_view last_field(std::string_view line) {
  auto fields = split_fields(line);
  return fields.empty() ? std::string_view() : fields.back();
}

std::string_view without_suffix(std::string_view s, std::string_view suffix) {
  if (s.ends_with(suffix)) s.remove_suffix(suffix.size());
  return s;
}

}  // namespace

std::optional<std::uint64_t> bcache_dehumanize(std::string_view text) {
  if (text.empty()) return std::nullopt;
  char unit = text.back();
  if (unit <= '9') {
    auto v = parse_double(text);
    if (!v) return std::nullopt;
    return to_uint64(*v);
  }
  constexpr std::string_view kUnits = "kMGTPEZY";
  auto power = kUnits.find(unit);
  double multiplier = 0;  // 1024^(power + 1), exact in a double
  if (power != std::string_view::npos) {
    multiplier = 1;
    for (std::size_t i = 0; i <= power; ++i) multiplier *= 1024;
  }
  auto mantissa = pseudo_float(text.substr(0, text.size() - 1));
  if (!mantissa) return std::nullopt;
  return to_uint64(*mantissa * multiplier);
}

std::optional<std::int64_t> bcache_dehumanize_signed(std::string_view text) {
  bool negative = text.starts_with('-');
  auto v = bcache_dehumanize(negative ? text.substr(1) : text);
  if (!v) return std::nullopt;
  auto magnitude = static_cast<std::int64_t>(*v);
  return negative ? -magnitude : magnitude;
}

std::optional<BcacheWritebackRateDebug> parse_bcache_writeback_rate_debug(std::string_view text) {
  BcacheWritebackRateDebug out;
  bool ok = true;
  for_each_line(text, [&](std::string_view line) {
    if (!ok) return;
    std::string_view value = last_field(line);
    auto assign_unsigned = [&](std::uint64_t& dest, std::string_view v) {
      auto parsed = bcache_dehumanize(v);
      ok = parsed.has_value();
      if (ok) dest = *parsed;
    };
    auto assign_signed = [&](std::int64_t& dest, std::string_view v) {
      auto parsed = bcache_dehumanize_signed(v);
      ok = parsed.has_value();
      if (ok) dest = *parsed;
    };
    std::uint64_t ignored = 0;
    if (line.starts_with("rate:")) {
      assign_unsigned(out.rate, without_suffix(value, "/sec"));
    } else if (line.starts_with("dirty:")) {
      assign_unsigned(ignored, value);  // checked as procfs does; node_exporter uses dirty_data
    } else if (line.starts_with("target:")) {
      assign_unsigned(out.target, value);
    } else if (line.starts_with("proportional:")) {
      assign_signed(out.proportional, value);
    } else if (line.starts_with("integral:")) {
      assign_signed(out.integral, value);
    } else if (line.starts_with("change:")) {
      assign_signed(out.change, without_suffix(value, "/sec"));
    } else if (line.starts_with("next io:")) {
      ok = parse_int(without_suffix(value, "ms")).has_value();
    }
  });
  if (!ok) return std::nullopt;
  return out;
}

std::optional<BcachePriorityStats> parse_bcache_priority_stats(std::string_view text) {
  BcachePriorityStats out;
  bool ok = true;
  for_each_line(text, [&](std::string_view line) {
    std::uint64_t* dest = line.starts_with("Unused:")     ? &out.unused_percent
                          : line.starts_with("Metadata:") ? &out.metadata_percent
                                                          : nullptr;
    if (!ok || dest == nullptr) return;
    auto v = parse_uint(without_suffix(last_field(line), "%"));
    ok = v.has_value();
    if (ok) *dest = *v;
  });
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace nodeprobe

#include "agent/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace nodeprobe {
namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t len;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void append_escaped(std::string& out, std::string_view s, bool escape_quote) {
  // Most HELP texts and label values have nothing to escape: copy the runs between specials whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' && c != '\n' && (c != '"' || !escape_quote)) continue;
    out.append(s.data() + run, i - run);
    out += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : "\\\"";
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void append_labels(std::string& out, const Labels& labels, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return;
  out.push_back('{');
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += l.name;
    out += "=\"";
    append_escaped(out, l.value, true);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out.push_back(',');
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out.push_back('"');
  }
  out.push_back('}');
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   const Labels& labels, double value, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, labels, extra_name, extra_value);
  out.push_back(' ');
  append_value(out, value);
  out.push_back('\n');
}

double value_of(const prometheus::ClientMetric& m, MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return m.counter.value;
    case MetricType::Gauge:
      return m.gauge.value;
    default:
      return m.untyped.value;
  }
}

void write_header(std::string& out, const prometheus::MetricFamily& f) {
  if (!f.help.empty()) {
    out += "# HELP ";
    out += f.name;
    out.push_back(' ');
    append_escaped(out, f.help, false);
    out.push_back('\n');
  }
  out += "# TYPE ";
  out += f.name;
  out.push_back(' ');
  out += type_name(f.type);
  out.push_back('\n');
}

void write_samples(std::string& out, const prometheus::MetricFamily& f) {
  for (const auto& m : f.metric) {
    switch (f.type) {
      case MetricType::Histogram: {
        for (const auto& b : m.histogram.bucket) {
          append_sample(out, f.name, "_bucket", m.label, static_cast<double>(b.cumulative_count),
                        "le", format_value(b.upper_bound));
        }
        append_sample(out, f.name, "_sum", m.label, m.histogram.sample_sum);
        append_sample(out, f.name, "_count", m.label,
                      static_cast<double>(m.histogram.sample_count));
        break;
      }
      case MetricType::Summary: {
        for (const auto& q : m.summary.quantile) {
          append_sample(out, f.name, "", m.label, q.value, "quantile", format_value(q.quantile));
        }
        append_sample(out, f.name, "_sum", m.label, m.summary.sample_sum);
        append_sample(out, f.name, "_count", m.label, static_cast<double>(m.summary.sample_count));
        break;
      }
      default:
        append_sample(out, f.name, "", m.label, value_of(m, f.type));
    }
  }
}

// Brings one metric to the form the writer expects; false when it must be dropped.
bool normalize_metric(prometheus::ClientMetric& m, MetricType type, std::string* why) {
  for (auto& l : m.label) {
    if (!valid_label_name(l.name) || l.name.starts_with("__")) {
      *why = "invalid label name \"" + sanitize_utf8(l.name) + "\"";
      return false;
    }
    if ((type == MetricType::Histogram && l.name == "le") ||
        (type == MetricType::Summary && l.name == "quantile")) {
      *why = "reserved label name \"" + l.name + "\"";
      return false;
    }
    if (!valid_utf8(l.value)) l.value = sanitize_utf8(l.value);
  }
  if (!std::is_sorted(m.label.begin(), m.label.end())) std::sort(m.label.begin(), m.label.end());
  for (std::size_t i = 1; i < m.label.size(); ++i) {
    if (m.label[i].name == m.label[i - 1].name) {
      *why = "label \"" + m.label[i].name + "\" given twice";
      return false;
    }
  }
  if (type == MetricType::Histogram) {
    auto& buckets = m.histogram.bucket;
    std::sort(buckets.begin(), buckets.end(),
              [](const auto& a, const auto& b) { return a.upper_bound < b.upper_bound; });
    if (buckets.empty() || !std::isinf(buckets.back().upper_bound)) {
      buckets.push_back({m.histogram.sample_count, std::numeric_limits<double>::infinity()});
    }
  }
  if (type == MetricType::Summary) {
    std::sort(m.summary.quantile.begin(), m.summary.quantile.end(),
              [](const auto& a, const auto& b) { return a.quantile < b.quantile; });
  }
  return true;
}

}  // namespace

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    default:
      return "untyped";
  }
}

bool valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_name_start(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [](char c) { return is_name_start(c) || is_digit(c) || c == ':'; });
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || !is_name_start(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [](char c) { return is_name_start(c) || is_digit(c); });
}

std::string sanitize_utf8(std::string_view in) {
  std::size_t i = 0;
  // Fast path: the common ASCII/valid case returns a plain copy.
  while (i < in.size()) {
    std::size_t len = utf8_sequence_length(in, i);
    if (len == 0) break;
    i += len;
  }
  if (i == in.size()) return std::string(in);
  std::string out(in.substr(0, i));
  while (i < in.size()) {
    std::size_t len = utf8_sequence_length(in, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(in.substr(i, len));
      i += len;
    }
  }
  return out;
}

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  // Go's 'g' with the shortest precision switches to exponent form when the decimal exponent
  // of the shortest form is below -4 or at least 6 (hence node_exporter's "2.46617e+06"). The
  // shortest form of a double below 1e6 never reads as 1e6 (that is another double), so the
  // magnitude decides; 0 has exponent 0.
  double magnitude = std::fabs(v);
  if (magnitude < 1e6 && (magnitude >= 1e-4 || v == 0)) {
    // Whole numbers, the common case (counters, bytes, states), skip the float conversion.
    auto whole = static_cast<std::int64_t>(v);
    if (static_cast<double>(whole) == v && !(v == 0 && std::signbit(v))) {
      auto r = std::to_chars(buf, buf + sizeof buf, whole);
      out.append(buf, r.ptr);
      return;
    }
    auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out.append(buf, fixed.ptr);
    return;
  }
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  out.append(buf, sci.ptr);
}

std::string format_value(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

RenderedFamilies render_in_place(std::vector<prometheus::MetricFamily>& families,
                                 std::vector<std::string>* problems,
                                 std::vector<std::string>* headers) {
  auto report = [&](std::string text) {
    if (problems != nullptr) problems->push_back(std::move(text));
  };
  if (headers != nullptr) headers->resize(families.size());
  // Sort indices, not the families: they are heavy to move and the sink keeps their order.
  std::vector<std::uint32_t> order(families.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  if (!std::is_sorted(order.begin(), order.end(),
                      [&](auto a, auto b) { return families[a].name < families[b].name; })) {
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return families[a].name < families[b].name; });
  }
  RenderedFamilies out;
  out.spans.reserve(families.size());
  const prometheus::MetricFamily* previous = nullptr;
  for (auto i : order) {
    auto& f = families[i];
    if (previous != nullptr && f.name == previous->name) {
      report("family " + f.name + " given twice; the second is dropped");
      continue;
    }
    previous = &f;
    std::string* header = headers != nullptr ? &(*headers)[i] : nullptr;
    // A cached header means the name was found valid before.
    if ((header == nullptr || header->empty()) && !valid_metric_name(f.name)) {
      report("invalid metric name \"" + sanitize_utf8(f.name) + "\"");
      continue;
    }
    std::string why;
    std::erase_if(f.metric, [&](auto& m) {
      if (normalize_metric(m, f.type, &why)) return false;
      report(f.name + ": " + why);
      return true;
    });
    if (f.metric.size() > 1) {
      auto by_labels = [](const auto& a, const auto& b) { return a.label < b.label; };
      if (!std::is_sorted(f.metric.begin(), f.metric.end(), by_labels)) {
        std::stable_sort(f.metric.begin(), f.metric.end(), by_labels);
      }
      auto dup = std::unique(f.metric.begin(), f.metric.end(),
                             [](const auto& a, const auto& b) { return a.label == b.label; });
      if (dup != f.metric.end()) {
        report(f.name + ": " + std::to_string(f.metric.end() - dup) +
               " samples with duplicate labels dropped");
        f.metric.erase(dup, f.metric.end());
      }
    }
    if (f.metric.empty()) continue;
    RenderedFamilies::Span span{};
    span.begin = static_cast<std::uint32_t>(out.text.size());
    if (header != nullptr) {
      if (header->empty()) write_header(*header, f);
      out.text += *header;
    } else {
      write_header(out.text, f);
    }
    // "# HELP <name> ..." or "# TYPE <name> ...": the name starts after the first 7 bytes.
    span.name_begin = span.begin + 7;
    span.name_size = static_cast<std::uint32_t>(f.name.size());
    write_samples(out.text, f);
    span.size = static_cast<std::uint32_t>(out.text.size()) - span.begin;
    out.spans.push_back(span);
  }
  return out;
}

std::vector<RenderedFamily> render_families(std::vector<prometheus::MetricFamily> families,
                                            std::vector<std::string>* problems) {
  auto rendered = render_in_place(families, problems);
  std::vector<RenderedFamily> out;
  out.reserve(rendered.size());
  for (std::size_t i = 0; i < rendered.size(); ++i) {
    out.push_back({std::string(rendered.name(i)), std::string(rendered.family_text(i))});
  }
  return out;
}

}  // namespace nodeprobe

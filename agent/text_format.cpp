#include "agent/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

#include "agent/exposition.h"
#include "agent/string_map.h"

namespace nodeprobe {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_label_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_label_char(char c) { return is_label_start(c) || is_digit(c); }
bool is_metric_start(char c) { return is_label_start(c) || c == ':'; }
bool is_metric_char(char c) { return is_label_char(c) || c == ':'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
           };
           return lower(x) == lower(y);
         });
}

// Go's %q, shortened: error messages quote what they found, and a garbage file must not turn
// into a megabyte log line.
std::string quote(std::string_view s) {
  constexpr std::size_t kMaxQuoted = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMaxQuoted; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (s.size() > kMaxQuoted) out += "...";
  out.push_back('"');
  return out;
}

std::string quote_char(std::optional<char> c) {
  return c ? quote(std::string_view(&*c, 1)) : "\"\\n\"";
}

// The decimal exponent of the leading digit of a syntactically valid decimal float, saturated;
// only its sign matters (an out-of-range value with a positive one overflowed).
std::int64_t leading_exponent(std::string_view s) {
  auto e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  auto dot = mantissa.find('.');
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : mantissa.substr(dot + 1);
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  std::int64_t exponent = 0;
  if (!whole.empty()) {
    exponent = static_cast<std::int64_t>(whole.size());
  } else {
    auto first = fraction.find_first_not_of('0');
    exponent = -static_cast<std::int64_t>(first == std::string_view::npos ? 0 : first);
  }
  if (e != std::string_view::npos) {
    std::string_view digits = s.substr(e + 1);
    bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+'))
      digits.remove_prefix(1);
    std::int64_t explicit_exponent = 0;
    for (char c : digits) {
      explicit_exponent = std::min<std::int64_t>(explicit_exponent * 10 + (c - '0'), 1'000'000'000);
    }
    exponent += negative ? -explicit_exponent : explicit_exponent;
  }
  return exponent;
}

// Go's strconv.ParseFloat(s, 64) as expfmt calls it ('p', 'P' and '_' rejected first, which
// rules out hex floats and digit separators): decimal floats, Inf/Infinity with a sign, NaN
// without one, case-insensitive. An overflow is an error; an underflow rounds to zero.
std::optional<double> parse_go_float(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view body = s;
  bool negative = false;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (iequals(body, "inf") || iequals(body, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (iequals(body, "nan")) {
    if (body.size() != s.size()) return std::nullopt;
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::size_t i = 0;
  std::size_t digits = 0;
  auto skip_digits = [&] {
    std::size_t start = i;
    while (i < body.size() && is_digit(body[i])) ++i;
    return i - start;
  };
  digits += skip_digits();
  if (i < body.size() && body[i] == '.') {
    ++i;
    digits += skip_digits();
  }
  if (digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    if (skip_digits() == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec == std::errc::result_out_of_range) {
    if (leading_exponent(body) > 0) return std::nullopt;
    v = 0;
  } else if (ec != std::errc() || ptr != body.data() + body.size()) {
    return std::nullopt;
  }
  return negative ? -v : v;
}

// Go's strconv.ParseInt(s, 10, 64).
std::optional<std::int64_t> parse_go_int(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::size_t first_digit = (!s.empty() && s.front() == '-') ? 1 : 0;
  if (s.size() <= first_digit || !is_digit(s[first_digit])) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Go's uint64(float64) for the counts of histograms and summaries, without its undefined
// corners: NaN and negatives become 0, too large saturates.
std::uint64_t to_count(double v) {
  if (!(v >= 0)) return 0;
  if (v >= 18446744073709551616.0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(v);
}

std::optional<MetricType> parse_type(std::string_view s) {
  if (iequals(s, "counter")) return MetricType::Counter;
  if (iequals(s, "gauge")) return MetricType::Gauge;
  if (iequals(s, "histogram")) return MetricType::Histogram;
  if (iequals(s, "summary")) return MetricType::Summary;
  if (iequals(s, "untyped")) return MetricType::Untyped;
  return std::nullopt;
}

// Sorts buckets (or quantiles) by bound and keeps the last line given for each bound, as
// node_exporter's re-export through a map does. Bounds are never NaN.
template <typename T, typename Bound>
void keep_last_per_bound(std::vector<T>& items, Bound bound) {
  if (items.size() < 2) return;
  std::stable_sort(items.begin(), items.end(),
                   [&](const T& a, const T& b) { return bound(a) < bound(b); });
  std::size_t out = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i + 1 < items.size() && bound(items[i + 1]) == bound(items[i])) continue;
    items[out++] = items[i];
  }
  items.resize(out);
}

using NameIndex = StringMap<std::size_t>;

// Which part of a histogram or summary a sample line carries.
enum class Part { kPlain, kSum, kCount };

struct FamilyState {
  MetricFamily family;
  bool typed = false;
  bool has_help = false;
  // Histograms and summaries: one metric per label set (without le/quantile).
  NameIndex groups;
};

// One line, read left to right. `at_end()` is the line's end, where Go would see '\n'.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;

  bool at_end() const { return i >= s.size(); }
  std::optional<char> peek() const { return at_end() ? std::nullopt : std::optional<char>(s[i]); }
  bool is(char c) const { return !at_end() && s[i] == c; }
  void skip_blanks() {
    while (!at_end() && is_blank(s[i])) ++i;
  }
  template <typename Pred>
  std::string_view take_while(Pred pred) {
    std::size_t start = i;
    while (!at_end() && pred(s[i])) ++i;
    return s.substr(start, i - start);
  }
  std::string_view take_name(bool (*first)(char), bool (*next)(char)) {
    if (at_end() || !first(s[i])) return {};
    std::size_t begin = i++;
    while (!at_end() && next(s[i])) ++i;
    return s.substr(begin, i - begin);
  }
  std::string_view take_token() {
    return take_while([](char c) { return !is_blank(c); });
  }
  std::string_view rest() {
    auto r = s.substr(std::min(i, s.size()));
    i = s.size();
    return r;
  }
};

class TextParser {
 public:
  TextFormatResult parse(std::string_view text) {
    TextFormatResult result;
    std::size_t line_number = 0;
    while (!text.empty()) {
      ++line_number;
      auto nl = text.find('\n');
      if (nl == std::string_view::npos) {
        // Go's parser needs the '\n' that ends every line; a writer that stopped mid-line
        // (a file read while being written) is caught here.
        Cursor last{text};
        last.skip_blanks();
        if (!last.at_end()) fail("unexpected end of input stream");
        break;
      }
      Cursor line{text.substr(0, nl)};
      text.remove_prefix(nl + 1);
      if (!parse_line(line)) break;
    }
    if (!error_.empty()) {
      result.error = "line " + std::to_string(line_number) + ": " + error_;
      result.error_line = line_number;
      return result;
    }
    result.has_timestamps = has_timestamps_;
    for (auto& state : states_) {
      if (state.family.metric.empty()) continue;
      for (auto& m : state.family.metric) {
        keep_last_per_bound(m.histogram.bucket, [](const auto& b) { return b.upper_bound; });
        keep_last_per_bound(m.summary.quantile, [](const auto& q) { return q.quantile; });
      }
      result.families.push_back(std::move(state.family));
    }
    return result;
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool parse_line(Cursor& c) {
    c.skip_blanks();
    if (c.at_end()) return true;
    if (c.is('#')) {
      ++c.i;
      return parse_comment(c);
    }
    return parse_sample(c);
  }

  bool parse_comment(Cursor& c) {
    c.skip_blanks();
    auto keyword = c.take_token();
    if (c.at_end() || (keyword != "HELP" && keyword != "TYPE")) return true;
    c.skip_blanks();
    auto name = c.take_name(is_metric_start, is_metric_char);
    if (c.at_end()) return true;
    if (!is_blank(c.s[c.i])) return fail("invalid metric name in comment");
    Part part;
    std::size_t index = resolve(name, &part);
    c.skip_blanks();
    if (c.at_end()) return true;
    auto& state = states_[index];
    if (keyword == "HELP") {
      if (state.has_help) {
        return fail("second HELP line for metric name " + quote(state.family.name));
      }
      std::string help;
      if (!unescape_help(c.rest(), help)) return false;
      state.family.help = std::move(help);
      state.has_help = true;
      return true;
    }
    if (state.typed) {
      return fail("second TYPE line for metric name " + quote(state.family.name) +
                  ", or TYPE reported after samples");
    }
    auto word = c.rest();
    auto type = parse_type(word);
    if (!type) return fail("unknown metric type " + quote(word));
    state.family.type = *type;
    state.typed = true;
    return true;
  }

  // HELP text knows \\ and \n only; anything else after a backslash, the end of the line
  // included, is an error. (Newer expfmt accepts \"; node_exporter 1.5 rejects it.)
  bool unescape_help(std::string_view in, std::string& out) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      char ch = in[i];
      if (ch != '\\') {
        out.push_back(ch);
        continue;
      }
      if (++i == in.size()) return fail("invalid escape sequence '\\' at end of line");
      switch (in[i]) {
        case '\\':
          out.push_back('\\');
          break;
        case 'n':
          out.push_back('\n');
          break;
        default:
          return fail("invalid escape sequence '\\" + std::string(1, in[i]) + "'");
      }
    }
    return true;
  }

  bool parse_sample(Cursor& c) {
    auto name = c.take_name(is_metric_start, is_metric_char);
    if (name.empty()) return fail("invalid metric name");
    Part part;
    std::size_t index = resolve(name, &part);
    if (!states_[index].typed) {
      states_[index].family.type = MetricType::Untyped;
      states_[index].typed = true;
    }
    const MetricType type = states_[index].family.type;
    const std::string& family_name = states_[index].family.name;
    c.skip_blanks();

    std::vector<prometheus::ClientMetric::Label> labels;
    std::optional<double> bound;  // le (histogram) or quantile (summary)
    if (c.is('{')) {
      ++c.i;
      while (true) {
        c.skip_blanks();
        if (c.is('}')) {
          ++c.i;
          break;
        }
        auto label_name = c.take_name(is_label_start, is_label_char);
        if (label_name.empty()) return fail("invalid label name for metric " + quote(family_name));
        c.skip_blanks();
        if (!c.is('=')) {
          return fail("expected '=' after label name, found " + quote_char(c.peek()));
        }
        ++c.i;
        if (label_name == "__name__") return fail("label name \"__name__\" is reserved");
        c.skip_blanks();
        if (!c.is('"')) {
          return fail("expected '\"' at start of label value, found " + quote_char(c.peek()));
        }
        ++c.i;
        std::string value;
        if (!read_label_value(c, value)) return false;
        if (sanitize_utf8(value) != value) return fail("invalid label value " + quote(value));
        bool is_le = type == MetricType::Histogram && label_name == "le";
        bool is_quantile = type == MetricType::Summary && label_name == "quantile";
        if (is_le || is_quantile) {
          // Go keeps le and quantile out of the label set: they pick the bucket or quantile.
          bound = parse_go_float(value);
          // Go would take a NaN bound too, but it sorts nowhere and means nothing.
          if (!bound || std::isnan(*bound)) {
            return fail(std::string("expected float as value for '") + (is_le ? "le" : "quantile") +
                        "' label, got " + quote(value));
          }
        }
        c.skip_blanks();
        bool more = c.is(',');
        if (!more && !c.is('}')) return fail("unexpected end of label value " + quote(value));
        ++c.i;
        if (!is_le && !is_quantile) labels.push_back({std::string(label_name), std::move(value)});
        if (!more) break;
      }
      if (labels.size() > 1) {
        std::vector<std::string_view> names;
        names.reserve(labels.size());
        for (const auto& l : labels) names.push_back(l.name);
        std::sort(names.begin(), names.end());
        if (std::adjacent_find(names.begin(), names.end()) != names.end()) {
          return fail("duplicate label names for metric " + quote(family_name));
        }
      }
      c.skip_blanks();
    }

    auto value_token = c.take_token();
    auto value = parse_go_float(value_token);
    if (!value) return fail("expected float as value, got " + quote(value_token));
    std::optional<std::int64_t> timestamp;
    if (!c.at_end()) {
      c.skip_blanks();
      auto ts_token = c.take_token();
      timestamp = parse_go_int(ts_token);
      if (!timestamp) return fail("expected integer as timestamp, got " + quote(ts_token));
      auto spurious = c.rest();
      if (!spurious.empty()) return fail("spurious string after timestamp: " + quote(spurious));
    }
    store(index, part, std::move(labels), bound, *value, timestamp);
    return true;
  }

  bool read_label_value(Cursor& c, std::string& out) {
    while (true) {
      if (c.at_end()) return fail("label value " + quote(out) + " contains unescaped new-line");
      char ch = c.s[c.i++];
      if (ch == '"') return true;
      if (ch != '\\') {
        out.push_back(ch);
        continue;
      }
      if (c.at_end()) return fail("invalid escape sequence '\\' at end of line");
      char escaped = c.s[c.i++];
      switch (escaped) {
        case '\\':
        case '"':
          out.push_back(escaped);
          break;
        case 'n':
          out.push_back('\n');
          break;
        default:
          return fail("invalid escape sequence '\\" + std::string(1, escaped) + "'");
      }
    }
  }

  void store(std::size_t index, Part part, std::vector<ClientMetric::Label> labels,
             std::optional<double> bound, double value, std::optional<std::int64_t> timestamp) {
    auto& state = states_[index];
    auto& metrics = state.family.metric;
    ClientMetric* m = nullptr;
    const MetricType type = state.family.type;
    if (type == MetricType::Histogram || type == MetricType::Summary) {
      auto sorted = labels;
      std::sort(sorted.begin(), sorted.end());
      std::string signature;
      for (const auto& l : sorted) {
        signature += l.name;
        signature.push_back('\0');
        signature += l.value;
        signature.push_back('\0');
      }
      auto [it, inserted] = state.groups.try_emplace(std::move(signature), metrics.size());
      if (inserted) {
        metrics.emplace_back();
        metrics.back().label = std::move(labels);
      }
      m = &metrics[it->second];
    } else {
      metrics.emplace_back();
      m = &metrics.back();
      m->label = std::move(labels);
    }
    if (timestamp) {
      m->timestamp_ms = *timestamp;
      has_timestamps_ = true;
    }
    switch (type) {
      case MetricType::Counter:
        m->counter.value = value;
        break;
      case MetricType::Gauge:
        m->gauge.value = value;
        break;
      case MetricType::Histogram: {
        auto& h = m->histogram;
        if (part == Part::kCount) {
          h.sample_count = to_count(value);
        } else if (part == Part::kSum) {
          h.sample_sum = value;
        } else if (bound) {
          // Go's parser ignores a _bucket line without le, and so do we.
          h.bucket.push_back({to_count(value), *bound});
        }
        break;
      }
      case MetricType::Summary: {
        auto& s = m->summary;
        if (part == Part::kCount) {
          s.sample_count = to_count(value);
        } else if (part == Part::kSum) {
          s.sample_sum = value;
        } else if (bound) {
          s.quantile.push_back({*bound, value});
        }
        break;
      }
      default:
        m->untyped.value = value;
        break;
    }
  }

  // Go's setOrCreateCurrentMF: the family a name belongs to. foo_sum and foo_count belong to
  // foo when foo is a summary or histogram, foo_bucket when it is a histogram; otherwise a
  // name is its own family.
  std::size_t resolve(std::string_view name, Part* part) {
    *part = Part::kPlain;
    if (auto it = index_.find(name); it != index_.end()) return it->second;
    auto base_of = [&](std::string_view suffix, MetricType want) -> std::optional<std::size_t> {
      if (name.size() <= suffix.size() || !name.ends_with(suffix)) return std::nullopt;
      auto it = index_.find(name.substr(0, name.size() - suffix.size()));
      if (it == index_.end()) return std::nullopt;
      const auto& state = states_[it->second];
      if (!state.typed || state.family.type != want) return std::nullopt;
      return it->second;
    };
    struct Suffix {
      std::string_view text;
      MetricType type;
      Part part;
    };
    static constexpr Suffix kSuffixes[] = {
        {"_count", MetricType::Summary, Part::kCount},
        {"_sum", MetricType::Summary, Part::kSum},
        {"_count", MetricType::Histogram, Part::kCount},
        {"_sum", MetricType::Histogram, Part::kSum},
        {"_bucket", MetricType::Histogram, Part::kPlain},
    };
    for (const auto& s : kSuffixes) {
      if (auto base = base_of(s.text, s.type)) {
        *part = s.part;
        return *base;
      }
    }
    states_.emplace_back();
    states_.back().family.name = std::string(name);
    index_.emplace(std::string(name), states_.size() - 1);
    return states_.size() - 1;
  }

  std::vector<FamilyState> states_;
  NameIndex index_;
  bool has_timestamps_ = false;
  std::string error_;
};

}  // namespace

TextFormatResult parse_text_format(std::string_view text) { return TextParser().parse(text); }

}  // namespace nodeprobe

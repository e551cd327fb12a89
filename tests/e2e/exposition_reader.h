// A tolerant reader of the text exposition format for comparing two agents' output. It is not
// a validator (promtool is): lines it cannot read are kept aside for the failure message.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe::e2e {

struct ExpositionSample {
  std::string name;  // as written: node_foo_bucket for a histogram bucket
  std::map<std::string, std::string> labels;
  std::string value;  // as written, so a comparison can be exact
};

struct ExpositionFamily {
  std::string name;
  std::string help;
  std::string type = "untyped";
  std::vector<ExpositionSample> samples;

  // Every distinct set of label names the family's samples carry (le/quantile included).
  std::set<std::set<std::string>> label_name_sets() const {
    std::set<std::set<std::string>> out;
    for (const auto& s : samples) {
      std::set<std::string> names;
      for (const auto& [k, v] : s.labels) names.insert(k);
      out.insert(std::move(names));
    }
    return out;
  }
};

struct Exposition {
  std::map<std::string, ExpositionFamily> families;
  std::vector<std::string> unreadable_lines;

  const ExpositionFamily* find(const std::string& name) const {
    auto it = families.find(name);
    return it == families.end() ? nullptr : &it->second;
  }
};

namespace detail {

inline std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char c = s[++i];
      out.push_back(c == 'n' ? '\n' : c);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Reads `{a="x",b="y"}` starting at text[pos] == '{'; advances pos past '}'.
inline bool read_labels(std::string_view text, std::size_t& pos,
                        std::map<std::string, std::string>& labels) {
  ++pos;
  for (;;) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) ++pos;
    if (pos >= text.size()) return false;
    if (text[pos] == '}') {
      ++pos;
      return true;
    }
    auto eq = text.find('=', pos);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    std::string name(text.substr(pos, eq - pos));
    std::size_t end = eq + 2;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    if (end >= text.size()) return false;
    labels[name] = unescape(text.substr(eq + 2, end - eq - 2));
    pos = end + 1;
  }
}

}  // namespace detail

inline Exposition read_exposition(std::string_view text) {
  Exposition e;
  auto family_of = [&](const std::string& sample_name) -> ExpositionFamily& {
    if (auto it = e.families.find(sample_name); it != e.families.end()) return it->second;
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (sample_name.size() > suffix.size() && sample_name.ends_with(suffix)) {
        auto base = sample_name.substr(0, sample_name.size() - suffix.size());
        auto it = e.families.find(base);
        if (it != e.families.end() &&
            (it->second.type == "histogram" || it->second.type == "summary")) {
          return it->second;
        }
      }
    }
    auto& f = e.families[sample_name];
    f.name = sample_name;
    return f;
  };
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      bool help = line.starts_with("# HELP ");
      bool type = line.starts_with("# TYPE ");
      if (!help && !type) continue;
      auto rest = line.substr(7);
      auto space = rest.find(' ');
      std::string name(rest.substr(0, space));
      std::string_view value = space == std::string_view::npos ? "" : rest.substr(space + 1);
      auto& f = e.families[name];
      f.name = name;
      if (help) f.help = detail::unescape(value);
      if (type) f.type = std::string(value);
      continue;
    }
    ExpositionSample s;
    std::size_t pos = line.find_first_of("{ ");
    if (pos == std::string_view::npos) {
      e.unreadable_lines.emplace_back(line);
      continue;
    }
    s.name = std::string(line.substr(0, pos));
    if (line[pos] == '{' && !detail::read_labels(line, pos, s.labels)) {
      e.unreadable_lines.emplace_back(line);
      continue;
    }
    while (pos < line.size() && line[pos] == ' ') ++pos;
    auto value = line.substr(pos);
    s.value = std::string(value.substr(0, value.find(' ')));  // a timestamp may follow
    if (s.value.empty()) {
      e.unreadable_lines.emplace_back(line);
      continue;
    }
    family_of(s.name).samples.push_back(std::move(s));
  }
  return e;
}

// The text with the lines of the named families taken out: their samples, and with
// `with_comments` their HELP and TYPE lines too. A name ending in '*' is a prefix.
inline std::string drop_families(std::string_view text, const std::vector<std::string>& names,
                                 bool with_comments) {
  auto matches = [&](std::string_view name) {
    for (std::string_view n : names) {
      if (n.ends_with('*') ? name.starts_with(n.substr(0, n.size() - 1)) : name == n) return true;
    }
    return false;
  };
  std::string out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
    text.remove_prefix(line.size());
    bool comment = line.starts_with("# HELP ") || line.starts_with("# TYPE ");
    std::string_view name = comment ? line.substr(7) : line;
    name = name.substr(0, name.find_first_of("{ \n"));
    if (matches(name) && (!comment || with_comments)) continue;
    out += line;
  }
  return out;
}

}  // namespace nodeprobe::e2e

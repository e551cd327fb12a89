#include "collectors/bcachefs_sysfs.h"

#include <cctype>
#include <utility>
#include <vector>

#include "agent/parse.h"

namespace nodeprobe {
namespace {

// Splits "key: value" at the first colon, both parts trimmed; false without a colon.
bool key_value(std::string_view line, std::string_view& key, std::string_view& value) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  key = trim(line.substr(0, colon));
  value = trim(line.substr(colon + 1));
  return true;
}

// Calls f(fields) for every line after the first (a header) with at least `min` fields; stops
// and returns false when f does.
template <typename F>
bool for_each_table_row(std::string_view text, std::size_t min, F&& f) {
  bool ok = true, header = true;
  for_each_line(text, [&](std::string_view line) {
    if (!ok || std::exchange(header, false)) return;
    auto fields = split_fields(line);
    if (fields.size() >= min) ok = f(fields);
  });
  return ok;
}

std::string without_colon(std::string_view s) {
  if (s.ends_with(':')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::optional<std::uint64_t> bcachefs_human_bytes(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  constexpr std::string_view kUnits = "kmgtpe";
  auto unit = kUnits.find(static_cast<char>(std::tolower(static_cast<unsigned char>(text.back()))));
  double multiplier = 1;
  if (unit != std::string_view::npos) {
    multiplier = static_cast<double>(std::uint64_t{1} << (10 * (unit + 1)));
    text.remove_suffix(1);
  }
  auto v = parse_double(trim(text));
  if (!v) return std::nullopt;
  double bytes = *v * multiplier;
  if (!(bytes > 0)) return 0;
  if (bytes >= 18446744073709551615.0) return UINT64_MAX;
  return static_cast<std::uint64_t>(bytes);
}

std::optional<std::map<std::string, BcachefsCompression>> parse_bcachefs_compression(
    std::string_view text) {
  std::map<std::string, BcachefsCompression> out;
  bool ok = for_each_table_row(text, 3, [&](const std::vector<std::string_view>& f) {
    auto compressed = bcachefs_human_bytes(f[1]);
    auto uncompressed = bcachefs_human_bytes(f[2]);
    if (!compressed || !uncompressed || (f.size() >= 4 && !bcachefs_human_bytes(f[3]))) {
      return false;
    }
    out[without_colon(f[0])] = {*compressed, *uncompressed};
    return true;
  });
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::uint64_t>> parse_bcachefs_errors(std::string_view text) {
  std::map<std::string, std::uint64_t> out;
  bool ok = true;
  for_each_line(text, [&](std::string_view line) {
    auto f = split_fields(line);
    if (!ok || f.size() < 2) return;
    auto count = parse_uint(f[1]);
    ok = count && (f.size() < 3 || parse_uint(f[2]));
    if (ok) out[std::string(f[0])] = *count;
  });
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parse_bcachefs_counter(std::string_view text) {
  std::uint64_t creation = 0;
  bool seen = false, ok = true;
  for_each_line(text, [&](std::string_view line) {
    if (!ok) return;
    for (std::string_view prefix : {"since mount:", "since filesystem creation:"}) {
      if (!line.starts_with(prefix)) continue;
      auto v = bcachefs_human_bytes(line.substr(prefix.size()));
      ok = v.has_value();
      seen = true;
      if (ok && prefix != "since mount:") creation = *v;
    }
  });
  if (!ok || !seen) return std::nullopt;
  return creation;
}

std::optional<std::map<std::string, BcachefsBtreeWrites>> parse_bcachefs_btree_writes(
    std::string_view text) {
  std::map<std::string, BcachefsBtreeWrites> out;
  bool ok = for_each_table_row(text, 3, [&](const std::vector<std::string_view>& f) {
    auto count = parse_uint(f[1]);
    auto size = bcachefs_human_bytes(f[2]);
    if (!count || !size) return false;
    out[without_colon(f[0])] = {*count, *size};
    return true;
  });
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::map<std::string, std::uint64_t>>> parse_bcachefs_io_done(
    std::string_view text) {
  std::map<std::string, std::map<std::string, std::uint64_t>> out;
  std::string op;
  bool ok = true;
  for_each_line(text, [&](std::string_view raw) {
    std::string_view line = trim(raw), key, value;
    if (!ok || line.empty()) return;
    if (line == "read:" || line == "write:") {
      op = without_colon(line);
      out[op];
      return;
    }
    if (op.empty() || !key_value(line, key, value)) return;
    auto v = parse_uint(value);
    ok = v.has_value();
    if (ok) out[op][std::string(key)] = *v;
  });
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::uint64_t>> parse_bcachefs_io_errors(
    std::string_view text) {
  std::map<std::string, std::uint64_t> out;
  bool in_section = false, done = false, ok = true;
  for_each_line(text, [&](std::string_view line) {
    if (done || !ok) return;
    if (line.starts_with("IO errors since filesystem creation")) {
      in_section = true;
      return;
    }
    if (line.starts_with("IO errors since ")) {
      done = true;
      return;
    }
    std::string_view key, value;
    if (!in_section || trim(line).empty() || !key_value(trim(line), key, value)) return;
    auto v = parse_uint(value);
    ok = v.has_value();
    if (ok) out[std::string(key)] = *v;
  });
  if (!ok) return std::nullopt;
  return out;
}

std::string bcachefs_metric_name(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_name_char(s[i]) && s[i] != '_') {
      out += s[i++];
      continue;
    }
    // A run of underscores is literal unless characters outside the set follow it.
    std::size_t j = i;
    while (j < s.size() && s[j] == '_') ++j;
    if (j == s.size() || is_name_char(s[j])) {
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    while (j < s.size() && !is_name_char(s[j])) ++j;
    while (j < s.size() && s[j] == '_') ++j;
    out += '_';
    i = j;
  }
  return out;
}

}  // namespace nodeprobe

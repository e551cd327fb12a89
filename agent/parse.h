#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace nodeprobe {

// Small, allocation-light helpers shared by the parsers. Every parser is a pure function from
// the file's text to a plain struct; these never throw and never read past the input.

std::string_view trim(std::string_view s);

// [a-zA-Z0-9_], the characters of a metric name after its first. ASCII only: std::isalnum asks
// the locale on every call, and in another locale than "C" it takes bytes no name may hold.
constexpr bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Whitespace-separated fields (spaces and tabs; newlines too).
std::vector<std::string_view> split_fields(std::string_view s);
// The allocation-free form for hot parsers: takes the next whitespace-separated field off the
// front of `rest`; empty when none is left.
std::string_view next_field(std::string_view& rest);

// Splits on one character; empty pieces are kept.
std::vector<std::string_view> split(std::string_view s, char sep);

// Calls f(line) for each line, without the trailing newline; a last line without one counts.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    f(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// Whole-string numbers; nullopt for anything else (empty, trailing junk, overflow).
std::optional<double> parse_double(std::string_view s);

// A Go duration as node_exporter's flags take it: "5s", "500ms", "1m30s", "1.5s"; nullopt for
// anything else (a bare number other than "0" has no unit).
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);
std::optional<std::uint64_t> parse_uint(std::string_view s);
std::optional<std::int64_t> parse_int(std::string_view s);
// Hexadecimal digits without a 0x prefix, as /proc/net and conntrack's stat files print them.
std::optional<std::uint64_t> parse_hex(std::string_view s);

// The boot time of the machine this process runs on (btime in the real /proc/stat), cached.
double boot_time_seconds();

}  // namespace nodeprobe

// /proc/mdstat, parsed as prometheus/procfs's mdstat.go parses it (quirks included: the sync
// line is the one after the status line, or after a bitmap line there).
#include "collectors/mdstat.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "agent/parse.h"

namespace nodeprobe {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::int64_t to_int(std::string_view s, std::string_view line) {
  auto v = parse_int(s);
  if (!v) throw MdstatError("unexpected number in line: " + std::string(line));
  return *v;
}

// Matches \[(\d+)/(\d+)\] \[([U_]+)\] at `at`; fills total, active and the [U_] run.
bool match_disk_counts(std::string_view s, std::size_t at, std::string_view& total,
                       std::string_view& active) {
  if (s[at] != '[') return false;
  std::size_t i = at + 1, start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == start || i >= s.size() || s[i] != '/') return false;
  total = s.substr(start, i - start);
  start = ++i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == start || s.substr(i, 3) != "] [") return false;
  active = s.substr(start, i - start);
  i += 3;
  start = i;
  while (i < s.size() && (s[i] == 'U' || s[i] == '_')) ++i;
  return i > start && i < s.size() && s[i] == ']';
}

// procfs's evalStatusLine: the size is the first field; raid0 and linear count their member
// disks on the device line; an inactive array has no counts; the others need
// "<n> blocks ... [total/active] [UU_]" (the last such bracket pair, as the greedy regex finds).
void eval_status_line(std::string_view device_line, std::string_view status_line, MdArray& md) {
  auto fields = split_fields(status_line);
  if (fields.empty()) throw MdstatError("unexpected status line: " + std::string(status_line));
  md.blocks_total = to_int(fields[0], status_line);
  if (device_line.find("raid0") != std::string_view::npos ||
      device_line.find("linear") != std::string_view::npos) {
    md.disks_total = std::count(device_line.begin(), device_line.end(), '[');
    md.disks_active = md.disks_total;
    return;
  }
  if (device_line.find("inactive") != std::string_view::npos) return;
  auto blocks = status_line.find(" blocks ");
  if (blocks == std::string_view::npos || blocks == 0 || !is_digit(status_line[blocks - 1])) {
    throw MdstatError("no disk counts in status line: " + std::string(status_line));
  }
  for (std::size_t at = status_line.size(); at-- > blocks + 8;) {
    std::string_view total, active;
    if (match_disk_counts(status_line, at, total, active)) {
      md.disks_total = to_int(total, status_line);
      md.disks_active = to_int(active, status_line);
      return;
    }
  }
  throw MdstatError("no disk counts in status line: " + std::string(status_line));
}

// The number after `key` up to the last `until` (procfs's greedy "key(.+)until" patterns).
std::optional<double> greedy_number(std::string_view line, std::string_view key,
                                    std::string_view until) {
  auto at = line.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = line.substr(at + key.size());
  auto end = rest.rfind(until);
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  return parse_double(trim(rest.substr(0, end)));
}

// procfs's evalRecoveryLine: "(synced/total)" gives the synced blocks; the percentage, finish
// time and speed must parse too, or the whole file is refused.
std::int64_t eval_recovery_line(std::string_view line) {
  std::optional<std::int64_t> synced;
  for (auto open = line.find('('); open != std::string_view::npos && !synced;
       open = line.find('(', open + 1)) {
    auto slash = line.find('/', open);
    auto close = slash == std::string_view::npos ? slash : line.find(')', slash);
    if (close == std::string_view::npos) break;
    auto a = line.substr(open + 1, slash - open - 1);
    auto b = line.substr(slash + 1, close - slash - 1);
    bool digits = !a.empty() && !b.empty() && std::all_of(a.begin(), a.end(), is_digit) &&
                  std::all_of(b.begin(), b.end(), is_digit);
    if (digits) synced = to_int(a, line);
  }
  if (!synced) throw MdstatError("unexpected recovery line: " + std::string(line));
  std::optional<double> speed;
  for (std::size_t i = line.size(); i-- > 0 && !speed;) {
    if (std::isupper(static_cast<unsigned char>(line[i]))) {
      auto at = line.find("speed=");
      if (at == std::string_view::npos || at + 6 > i) break;
      speed = parse_double(line.substr(at + 6, i - at - 6));
      if (!speed) break;
    }
  }
  if (!greedy_number(line, "= ", "%") || !greedy_number(line, "finish=", "min") || !speed) {
    throw MdstatError("unexpected recovery line: " + std::string(line));
  }
  return *synced;
}

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

std::int64_t count_of(std::string_view s, std::string_view what) {
  std::int64_t n = 0;
  for (auto at = s.find(what); at != std::string_view::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

std::vector<MdArray> parse_mdstat(std::string_view text) {
  auto lines = split(text, '\n');
  std::vector<MdArray> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (trim(line).empty() || line[0] == ' ' || line.starts_with("Personalities") ||
        line.starts_with("unused")) {
      continue;
    }
    auto fields = split_fields(line);
    if (fields.size() < 3) throw MdstatError("not enough fields in md line: " + std::string(line));
    MdArray md;
    md.name = std::string(fields[0]);
    md.state = std::string(fields[2]);
    if (lines.size() <= i + 3) throw MdstatError(md.name + ": too few lines for md device");
    md.disks_failed = count_of(line, "(F)");
    md.disks_spare = count_of(line, "(S)");
    eval_status_line(line, lines[i + 1], md);

    std::string_view sync = lines[contains(lines[i + 2], "bitmap") ? i + 3 : i + 2];
    md.blocks_synced = md.blocks_total;
    bool recovering = contains(sync, "recovery");
    bool resyncing = contains(sync, "resync");
    bool checking = contains(sync, "check");
    if (recovering || resyncing || checking) {
      md.state = recovering ? "recovering" : checking ? "checking" : "resyncing";
      if (contains(sync, "PENDING") || contains(sync, "DELAYED")) {
        md.blocks_synced = 0;
      } else {
        md.blocks_synced = eval_recovery_line(sync);
      }
    }
    out.push_back(std::move(md));
  }
  return out;
}

}  // namespace nodeprobe

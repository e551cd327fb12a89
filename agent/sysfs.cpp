#include "agent/sysfs.h"

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::optional<std::string> read_attribute(const std::string& path, int& err) {
  // PAGE_SIZE bounds a sysfs attribute's text; 64 KiB leaves room for large-page kernels. The
  // read that would return 0 is spared: one system call in four per attribute.
  constexpr std::size_t kAttributeCap = 64 * 1024;
  std::string text;
  if (!try_read_file(path, text, err, kAttributeCap, ReadEnd::kShortRead)) return std::nullopt;
  return std::string(trim(text));
}

std::optional<std::vector<std::string>> list_directory(const std::string& path, int& err) {
  std::vector<std::string> names;
  if (!for_each_entry(
          path, [&](const DirEntry& e) { names.emplace_back(e.name); }, err)) {
    return std::nullopt;
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::int64_t> parse_sysfs_int(std::string_view s) {
  int base = 10;
  if (s.starts_with("0x")) {
    base = 16;
    s.remove_prefix(2);
  }
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace nodeprobe

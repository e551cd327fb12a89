#include "agent/sysfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::optional<std::string> read_attribute(const std::string& path, int& err) {
  // PAGE_SIZE bounds a sysfs attribute's text; 64 KiB leaves room for large-page kernels.
  constexpr std::size_t kAttributeCap = 64 * 1024;
  // A sysfs attribute is shown whole by one call (a binary attribute a page at a time), and a
  // fixture's regular file read to its end: a read shorter than asked and than a page is the
  // last, which spares the read that would return 0, one system call in four per attribute.
  constexpr std::size_t kPage = 4096;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    err = errno;
    return std::nullopt;
  }
  std::string text(kPage, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == text.size()) {
      if (text.size() > kAttributeCap) break;
      text.resize(std::min(text.size() * 2, kAttributeCap + 1));
    }
    std::size_t asked = text.size() - used;
    ssize_t n = ::read(fd, text.data() + used, asked);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      ::close(fd);
      return std::nullopt;
    }
    used += static_cast<std::size_t>(n);
    if (n == 0 || (static_cast<std::size_t>(n) < asked && static_cast<std::size_t>(n) < kPage)) {
      break;
    }
  }
  ::close(fd);
  if (used > kAttributeCap) {
    err = EFBIG;
    return std::nullopt;
  }
  text.resize(used);
  err = 0;
  return std::string(trim(text));
}

std::optional<std::vector<std::string>> list_directory(const std::string& path, int& err) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    err = errno;
    return std::nullopt;
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  err = 0;
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

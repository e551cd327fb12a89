#include "agent/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nodeprobe {

FileError::FileError(const std::string& path, int errno_value)
    : std::runtime_error(path + ": " + std::strerror(errno_value)), errno_value_(errno_value) {}

FileError::FileError(const std::string& path, const std::string& what)
    : std::runtime_error(path + ": " + what) {}

bool FileError::not_found() const { return errno_value_ == ENOENT || errno_value_ == ENOTDIR; }

bool try_read_file(const std::string& path, std::string& out, int& errno_out, std::size_t max_bytes,
                   ReadEnd end) {
  constexpr std::size_t kPage = 4096;
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    errno_out = errno;
    return false;
  }
  // Most kernel files fit in one page; grow as needed up to the cap (+1 to detect "larger").
  std::size_t capacity = kPage;
  out.resize(capacity);
  std::size_t used = 0;
  while (true) {
    if (used == capacity) {
      if (capacity > max_bytes) break;
      capacity = std::min(capacity * 2, max_bytes + 1);
      out.resize(capacity);
    }
    std::size_t asked = capacity - used;
    ssize_t n = ::read(fd, out.data() + used, asked);
    if (n < 0) {
      if (errno == EINTR) continue;
      errno_out = errno;
      ::close(fd);
      out.clear();
      return false;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    auto got = static_cast<std::size_t>(n);
    if (end == ReadEnd::kShortRead && got < asked && got < kPage) break;
  }
  ::close(fd);
  if (used > max_bytes) {
    errno_out = EFBIG;
    out.clear();
    return false;
  }
  out.resize(used);
  errno_out = 0;
  return true;
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  std::string out;
  int err = 0;
  if (!try_read_file(path, out, err, max_bytes)) {
    if (err == EFBIG) {
      throw FileError(path, "larger than " + std::to_string(max_bytes) + " bytes");
    }
    throw FileError(path, err);
  }
  return out;
}

}  // namespace nodeprobe

#include "agent/read_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace nodeprobe {

FileError::FileError(const std::string& path, int errno_value)
    : std::runtime_error(path + ": " + std::strerror(errno_value)), errno_value_(errno_value) {}

FileError::FileError(const std::string& path, const std::string& what)
    : std::runtime_error(path + ": " + what) {}

bool FileError::not_found() const { return errno_value_ == ENOENT || errno_value_ == ENOTDIR; }

namespace {

// With `positional`, pread from offset 0 onwards; otherwise read from the file offset (which
// also works on a pipe or a device that cannot seek).
bool read_loop(int fd, bool positional, std::string& out, int& errno_out, std::size_t max_bytes,
               ReadEnd end) {
  constexpr std::size_t kPage = 4096;
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
    ssize_t n = positional ? ::pread(fd, out.data() + used, asked, static_cast<off_t>(used))
                           : ::read(fd, out.data() + used, asked);
    if (n < 0) {
      if (errno == EINTR) continue;
      errno_out = errno;
      out.clear();
      return false;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    auto got = static_cast<std::size_t>(n);
    if (end == ReadEnd::kShortRead && got < asked && got < kPage) break;
  }
  if (used > max_bytes) {
    errno_out = EFBIG;
    out.clear();
    return false;
  }
  out.resize(used);
  errno_out = 0;
  return true;
}

}  // namespace

bool read_from_start(int fd, std::string& out, int& errno_out, std::size_t max_bytes, ReadEnd end) {
  return read_loop(fd, true, out, errno_out, max_bytes, end);
}

bool try_read_file(const std::string& path, std::string& out, int& errno_out, std::size_t max_bytes,
                   ReadEnd end) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    errno_out = errno;
    return false;
  }
  bool ok = read_loop(fd, false, out, errno_out, max_bytes, end);
  ::close(fd);
  return ok;
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

namespace detail {

bool for_each_entry(const std::string& path, EntryVisitor visit, void* fn, int& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  // One call lists ~300 entries of a typical name length.
  alignas(std::max_align_t) char buf[16 * 1024];
  while (true) {
    ssize_t n = ::getdents64(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(buf + at);
      at += d->d_reclen;
      std::string_view name = d->d_name;
      if (name == "." || name == "..") continue;
      visit(fn, DirEntry{name, d->d_type, static_cast<unsigned long>(d->d_ino)});
    }
  }
  ::close(fd);
  err = 0;
  return true;
}

}  // namespace detail

}  // namespace nodeprobe

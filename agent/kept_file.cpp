#include "agent/kept_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace nodeprobe {
namespace {

// procfs and sysfs render their files on each read at offset 0; any other filesystem hands
// back what the descriptor was opened on, which may since have been replaced.
bool renders_on_read(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return false;
  return fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC;
}

}  // namespace

KeptFile::KeptFile(std::string path, ReadEnd end, std::size_t max_bytes)
    : path_(std::move(path)), end_(end), max_bytes_(max_bytes) {}

KeptFile::~KeptFile() { close(); }

KeptFile::KeptFile(KeptFile&& other) noexcept
    : path_(std::move(other.path_)),
      end_(other.end_),
      max_bytes_(other.max_bytes_),
      fd_(std::exchange(other.fd_, -1)),
      text_(std::move(other.text_)) {}

KeptFile& KeptFile::operator=(KeptFile&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    end_ = other.end_;
    max_bytes_ = other.max_bytes_;
    fd_ = std::exchange(other.fd_, -1);
    text_ = std::move(other.text_);
  }
  return *this;
}

void KeptFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool KeptFile::read(int& err) {
  if (fd_ >= 0) {
    if (read_from_start(fd_, text_, err, max_bytes_, end_)) return true;
    // EFBIG is about the file, not the descriptor; anything else (ENODEV from a removed sysfs
    // device, ESRCH from a process that has gone) may be cured by opening the path again.
    if (err == EFBIG) return false;
    close();
  }
  text_.clear();
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    err = errno;
    return false;
  }
  bool ok = read_from_start(fd, text_, err, max_bytes_, end_);
  if (ok && renders_on_read(fd)) {
    fd_ = fd;
  } else {
    ::close(fd);
  }
  return ok;
}

const std::string& KeptFile::read() {
  int err = 0;
  if (read(err)) return text_;
  if (err == EFBIG) {
    throw FileError(path_, "larger than " + std::to_string(max_bytes_) + " bytes");
  }
  throw FileError(path_, err);
}

}  // namespace nodeprobe

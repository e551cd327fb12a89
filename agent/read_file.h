#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace nodeprobe {

// Files under /proc and /sys report st_size 0 or 4096 whatever they hold, so a read is a loop
// that stops at end of file or at a cap. 1 MiB is far above any file the collectors read
// (/proc/stat on a 1024-CPU host is about 150 KiB).
inline constexpr std::size_t kDefaultReadCap = 1 << 20;

// An error reading a file: the path and the errno text. errno_value() lets a collector tell
// "absent on this kernel" (ENOENT) apart from a real failure.
class FileError : public std::runtime_error {
 public:
  FileError(const std::string& path, int errno_value);
  FileError(const std::string& path, const std::string& what);
  int errno_value() const { return errno_value_; }
  bool not_found() const;

 private:
  int errno_value_ = 0;
};

// Reads the whole file, or throws FileError (also when it is larger than max_bytes).
std::string read_file(const std::string& path, std::size_t max_bytes = kDefaultReadCap);

// Where a read loop may stop before the read that returns 0.
enum class ReadEnd {
  kZero,  // only at a read that returns 0: procfs seq files hand over a page of records at a time
  // also at a read shorter than asked and than a page: a sysfs attribute is shown whole by one
  // call (a binary one a page at a time), and a regular file is read to its end
  kShortRead,
};

// As read_file, but returns false and leaves errno_out set instead of throwing.
bool try_read_file(const std::string& path, std::string& out, int& errno_out,
                   std::size_t max_bytes = kDefaultReadCap, ReadEnd end = ReadEnd::kZero);

}  // namespace nodeprobe

#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

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

// Where a read loop may stop before the read that returns 0.
enum class ReadEnd {
  // Only at a read that returns 0: a procfs file of many records (vmstat, mountinfo, net/dev)
  // hands over as many whole records as fit in its page, so a short read does not mean the end.
  kZero,
  // Also at a read shorter than asked and than a page, which saves a system call per file where
  // the kernel renders the whole file at once: a sysfs attribute (a binary one is served a page
  // at a time), a procfs file shown by one single_open() call (/proc/stat, meminfo, loadavg,
  // pressure/*, /proc/<pid>/stat), a sysctl under /proc/sys, and a regular file.
  kShortRead,
};

// Reads the whole file, or throws FileError (also when it is larger than max_bytes).
std::string read_file(const std::string& path, std::size_t max_bytes = kDefaultReadCap);

// As read_file, but returns false and leaves errno_out set instead of throwing.
bool try_read_file(const std::string& path, std::string& out, int& errno_out,
                   std::size_t max_bytes = kDefaultReadCap, ReadEnd end = ReadEnd::kZero);

// As try_read_file, from an open descriptor, with pread from offset 0 whatever the file offset:
// a procfs or sysfs file read at offset 0 is rendered afresh (agent/kept_file.h).
bool read_from_start(int fd, std::string& out, int& errno_out,
                     std::size_t max_bytes = kDefaultReadCap, ReadEnd end = ReadEnd::kZero);

// One entry of a directory listing: its name, its dirent type (DT_DIR, DT_REG, ...; DT_UNKNOWN
// where the filesystem does not say) and its inode number.
struct DirEntry {
  std::string_view name;
  unsigned char type;
  unsigned long inode;
};

namespace detail {
using EntryVisitor = void (*)(void* fn, const DirEntry& entry);
bool for_each_entry(const std::string& path, EntryVisitor visit, void* fn, int& err);
}  // namespace detail

// Calls fn(const DirEntry&) for each entry of the directory but "." and "..", in the order the
// filesystem lists them. Returns false with the errno in err when it cannot be opened or read
// (fn may have seen some entries by then). With getdents64 straight into a buffer: opendir
// also stats the directory, a system call per listing that no caller needs.
template <class Fn>
bool for_each_entry(const std::string& path, Fn&& fn, int& err) {
  auto visit = [](void* f, const DirEntry& entry) {
    (*static_cast<std::remove_reference_t<Fn>*>(f))(entry);
  };
  return detail::for_each_entry(path, visit, &fn, err);
}

}  // namespace nodeprobe

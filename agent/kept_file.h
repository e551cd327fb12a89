#pragma once

#include <cstddef>
#include <string>

#include "agent/read_file.h"

namespace nodeprobe {

// A kernel file that is opened once and read again from its start on each read. procfs and
// sysfs render a file afresh whenever it is read at offset 0, and on a machine where system
// calls are dear the open and close around a read cost twice the read itself
// (docs/performance.md). Only files on procfs and sysfs are kept open: any other (a fixture tree
// under --path.procfs, a file replaced by rename) is opened for each read, as try_read_file
// does. A kept descriptor that stops answering (a sysfs device removed, a process gone) is
// closed and the path opened again, once per read.
//
// Not for concurrent use: each collector keeps its own, and the framework never runs a
// collector twice at once.
class KeptFile {
 public:
  explicit KeptFile(std::string path, ReadEnd end = ReadEnd::kZero,
                    std::size_t max_bytes = kDefaultReadCap);
  ~KeptFile();
  KeptFile(KeptFile&& other) noexcept;
  KeptFile& operator=(KeptFile&& other) noexcept;
  KeptFile(const KeptFile&) = delete;
  KeptFile& operator=(const KeptFile&) = delete;

  // Reads the whole file into text(), or returns false with the errno in `err` (EFBIG past the
  // cap) and text() empty.
  bool read(int& err);

  // As read_file: the file's text, or throws FileError naming the path.
  const std::string& read();

  // What the last read gave; its buffer is kept for the next one.
  const std::string& text() const { return text_; }
  const std::string& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  void close();

  std::string path_;
  ReadEnd end_;
  std::size_t max_bytes_;
  int fd_ = -1;
  std::string text_;
};

}  // namespace nodeprobe

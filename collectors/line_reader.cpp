#include "collectors/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "agent/read_file.h"

namespace nodeprobe {

namespace {

// Closes the descriptor however the reading loop ends (a callback may throw).
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void for_each_file_line(const std::string& path,
                        const std::function<void(std::string_view)>& on_line,
                        std::size_t max_line) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) throw FileError(path, errno);

  std::vector<char> chunk(64 * 1024);
  std::string pending;    // the start of a line that continues in the next chunk
  bool skipping = false;  // inside a line already passed on cut at max_line
  while (true) {
    ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FileError(path, errno);
    }
    if (n == 0) break;
    std::string_view data(chunk.data(), static_cast<std::size_t>(n));
    while (!data.empty()) {
      auto nl = data.find('\n');
      std::string_view piece = data.substr(0, nl);
      if (!skipping) {
        std::size_t room = max_line - pending.size();
        if (piece.size() > room) {
          pending.append(piece.substr(0, room));
          on_line(pending);
          pending.clear();
          skipping = true;
        } else if (nl == std::string_view::npos) {
          pending.append(piece);
        } else if (pending.empty()) {
          on_line(piece);
        } else {
          pending.append(piece);
          on_line(pending);
          pending.clear();
        }
      }
      if (nl == std::string_view::npos) break;
      skipping = false;
      data.remove_prefix(nl + 1);
    }
  }
  if (!pending.empty()) on_line(pending);
}

}  // namespace nodeprobe

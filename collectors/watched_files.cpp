#include "collectors/watched_files.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/logging.h"

namespace nodeprobe {

WatchedFiles::WatchedFiles() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (fd_ < 0) {
    log::info("inotify is not available; cgroup limits and events are read on every scrape",
              {{"collector", "workloads"}, {"err", std::strerror(errno)}});
  }
}

WatchedFiles::~WatchedFiles() {
  if (fd_ >= 0) ::close(fd_);
}

void WatchedFiles::begin() {
  if (fd_ < 0) return;
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        // Events were lost: read everything again.
        for (auto& [path, e] : entries_) e.modified = true;
        continue;
      }
      auto it = by_watch_.find(event->wd);
      if (it == by_watch_.end()) continue;
      auto entry = entries_.find(it->second);
      if (event->mask & IN_IGNORED) {
        // The watch is gone (the file was removed): read and watch afresh if it is asked again.
        if (entry != entries_.end()) {
          entry->second.watch = -1;
          entry->second.modified = true;
        }
        by_watch_.erase(it);
        continue;
      }
      if (entry != entries_.end()) entry->second.modified = true;
    }
  }
}

void WatchedFiles::drop_watch(Entry& e) {
  if (e.watch < 0) return;
  ::inotify_rm_watch(fd_, e.watch);
  by_watch_.erase(e.watch);
  e.watch = -1;
}

bool WatchedFiles::read(const std::string& path, std::uint64_t id, const CgroupDir& dir,
                        const char* name, std::string& out) {
  if (fd_ < 0) return dir.read(name, out);
  std::string file = path + "/" + name;
  auto [it, fresh] = entries_.try_emplace(file);
  Entry& e = it->second;
  e.seen = true;
  if (!fresh && e.id != id) {
    // Another cgroup under the same path: its files are other files.
    drop_watch(e);
    e.modified = true;
    e.unwatchable = false;
  }
  e.id = id;
  if (e.watch >= 0 && !e.modified) {
    out = e.text;
    return e.read_ok;
  }
  if (e.watch < 0 && !e.unwatchable) {
    // Watched before it is read, so a write between the two is not missed. The watch needs a
    // path: the directory's open descriptor gives the same directory the walk found.
    std::string watch_path = "/proc/self/fd/" + std::to_string(dir.fd()) + "/" + name;
    int watch = ::inotify_add_watch(fd_, watch_path.c_str(), IN_MODIFY);
    if (watch >= 0) {
      // The same inode watched again (a path that came back) gets the same descriptor.
      if (auto old = by_watch_.find(watch); old != by_watch_.end() && old->second != file) {
        if (auto other = entries_.find(old->second); other != entries_.end()) {
          other->second.watch = -1;
          other->second.modified = true;
        }
      }
      e.watch = watch;
      by_watch_[watch] = file;
    } else {
      e.unwatchable = true;
    }
  }
  e.modified = false;
  e.read_ok = dir.read(name, out);
  // Not watched (an absent file, or past fs.inotify.max_user_watches): read it every time.
  if (e.watch >= 0) e.text = out;
  return e.read_ok;
}

void WatchedFiles::end() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.seen) {
      drop_watch(it->second);
      it = entries_.erase(it);
      continue;
    }
    it->second.seen = false;
    ++it;
  }
}

}  // namespace nodeprobe

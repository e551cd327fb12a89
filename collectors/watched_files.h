#pragma once

// Files of a cgroup that change only when someone writes them (memory.max,
// memory.limit_in_bytes) or whose every change the kernel announces (cgroup v2 memory.events,
// through cgroup_file_notify): read once, watched with inotify, and read again only after the
// watch reports a modification. With a thousand containers that spares two of the eleven files
// a scrape reads per cgroup.
//
// A write(2) to any file raises IN_MODIFY; kernfs raises it for the files the kernel notifies
// (at most every 20 ms per file, late but never dropped). kernfs looks the file's inode up to
// notify, so it must stay in memory: the watch holds it. A cgroup removed and made again under
// the same path is a new directory inode: its files are read and watched afresh.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collectors/workload_stats.h"

namespace nodeprobe {

class WatchedFiles {
 public:
  WatchedFiles();
  ~WatchedFiles();
  WatchedFiles(const WatchedFiles&) = delete;
  WatchedFiles& operator=(const WatchedFiles&) = delete;

  // Takes the modifications announced since the last scrape: call before a scrape's reads.
  void begin();
  // The text of `name` in the cgroup directory `dir` (`path`, its directory inode `id`): what was
  // read before while its watch has reported no modification, else the file read afresh. False
  // when it cannot be read. Without inotify (or past the watch limit) the file is read each time.
  bool read(const std::string& path, std::uint64_t id, const CgroupDir& dir, const char* name,
            std::string& out);
  // Forgets the files not read since begin(): their cgroups went away.
  void end();

  std::size_t watches() const { return by_watch_.size(); }
  bool enabled() const { return fd_ >= 0; }

 private:
  struct Entry {
    std::uint64_t id = 0;
    int watch = -1;            // inotify watch descriptor, -1 for none
    bool unwatchable = false;  // inotify_add_watch failed: read every time
    bool modified = true;      // read it again
    bool read_ok = false;
    bool seen = false;  // read since begin()
    std::string text;
  };
  void drop_watch(Entry& e);

  int fd_ = -1;
  std::unordered_map<std::string, Entry> entries_;  // by the file's path
  std::unordered_map<int, std::string> by_watch_;   // watch descriptor to the file's path
};

}  // namespace nodeprobe

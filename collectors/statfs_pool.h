#pragma once

// statfs(2) off the scrape path. A hung NFS, CIFS or FUSE mount blocks statfs in the kernel, and
// nothing interrupts it short of a fatal signal, so the call runs on a small pool of threads and
// a scrape only waits for the answer up to a timeout. docs/architecture.md ("Filesystem: never
// stalled") describes the policy.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nodeprobe {

// What statfs said about one path, in node_exporter's units.
struct StatfsAnswer {
  int error = 0;  // errno, 0 when the call succeeded
  double size_bytes = 0;
  double free_bytes = 0;
  double avail_bytes = 0;
  double files = 0;
  double files_free = 0;
};

// The call itself; the real one is statfs_path(), tests pass their own.
using StatfsFunction = std::function<StatfsAnswer(const std::string& path)>;

// statfs(2) on a path: sizes are blocks times f_bsize, as node_exporter computes them.
StatfsAnswer statfs_path(const std::string& path);

class StatfsPool {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    // Threads that serve statfs calls; a blocked thread is replaced, up to `workers` blocked
    // threads, so the pool never holds more than 2 * workers threads.
    std::size_t workers = 4;
    // How long a call may run before its mount is reported as stuck.
    std::chrono::milliseconds timeout{5000};
  };

  // One statfs a scrape wants. `key` names the mount (mount point and device): one call per key
  // is under way at any time. A mount on a local block device is unlikely to hang, so when it
  // has not answered before it is still asked ahead of other new mounts.
  //
  // `local` says that neither the filesystem nor any mount its path crosses waits on another
  // machine or a user-space daemon (no NFS, CIFS or FUSE). Once such a mount has answered
  // within the timeout, stat_all calls statfs on its own thread: handing the call to a pool
  // thread and being woken back costs two thread wake-ups, far more than the call itself. Should
  // such a call still block, it holds the caller; other callers that meet it report it as stuck
  // as they do for a pool thread.
  struct Request {
    std::string key;
    std::string path;
    bool block_device = false;
    bool local = false;
  };

  struct Result {
    enum class Status {
      kAnswered,  // `answer` holds what statfs said (an error included)
      kStuck,     // the call has run past the timeout and still blocks; not asked again
      kNoAnswer,  // no answer before the scrape stopped waiting: the call is still queued or
                  // running within its timeout; it stays so and a later scrape picks it up
    };
    Status status = Status::kNoAnswer;
    StatfsAnswer answer;
  };

  StatfsPool(Options options, StatfsFunction statfs);
  ~StatfsPool();
  StatfsPool(const StatfsPool&) = delete;
  StatfsPool& operator=(const StatfsPool&) = delete;

  // Asks for every request (except those stuck or already under way, which are joined) and waits
  // until all have answered, a running call passes the timeout, or `wait_until`, whichever comes
  // first. Trusted local mounts are asked on the calling thread, the others on the pool's.
  // Results are in the order of the requests. Keys not in `requests` are forgotten once their
  // calls return, so unmounted filesystems do not accumulate.
  std::vector<Result> stat_all(const std::vector<Request>& requests, Clock::time_point wait_until);

  // Threads alive now, and how many of them are blocked past the timeout.
  std::size_t threads() const;
  std::size_t stuck_threads() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace nodeprobe

#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/collector.h"
#include "agent/exposition.h"

namespace nodeprobe {

// How one collector did in one scrape.
struct CollectorOutcome {
  enum class Status { kSuccess, kFailed, kAbsent, kTimedOut, kStillRunning };
  std::string_view name;
  Status status = Status::kFailed;
  double duration_seconds = 0;
  std::string error;  // what went wrong, for kFailed and kAbsent
  // Rendered families, shared between concurrent scrapes that joined the same run.
  std::shared_ptr<const RenderedFamilies> families;
};

// Runs collectors in isolation. A scrape queues the selected collectors and they run one after
// another (they take microseconds each; a thread per collector cost more in wake-ups than the
// collectors themselves, see docs/performance.md): on the scrape's own thread when the caller
// can be answered from another thread (run with a Deliver), otherwise on an executor thread.
//
// A collector that blocks (a hung mount, a slow sysfs file) holds only the thread it is on.
// When a collector has run for the hand-over time (a fraction of the timeout), the rest of the
// queue moves to an executor thread; a scrape whose own thread is the one held is answered by
// a rescue thread at the deadline, and surplus executors exit once idle. The hand-over time is
// watched by a timer, not a thread that wakes on each scrape.
//
// A scrape waits for its collectors until the deadline; a collector that misses it is reported
// as failed and its output dropped. A run that is still going when the next scrape arrives is
// joined while within its own deadline and not started again until it returns, so a stuck
// collector never piles up threads.
class CollectorRunner {
 public:
  struct Slot {
    std::string_view name;
    std::unique_ptr<Collector> collector;
  };

  CollectorRunner(std::vector<Slot> slots, std::chrono::milliseconds timeout);
  ~CollectorRunner();
  CollectorRunner(const CollectorRunner&) = delete;
  CollectorRunner& operator=(const CollectorRunner&) = delete;

  // Runs the collectors at the given indices (into the slots) on executor threads and returns
  // their outcomes in the same order, never later than the timeout.
  std::vector<CollectorOutcome> run(const std::vector<std::size_t>& which);

  // Hands the outcomes of a run, in the order asked for, to whoever answers the scrape.
  // `rescued` is true when it is called on a rescue thread because the scrape's own thread is
  // held inside a collector: the answer must then go out from there.
  using Deliver = std::function<void(std::vector<CollectorOutcome>&& outcomes, bool rescued)>;

  // Runs the collectors on the calling thread, with no hand-off in the common case, and calls
  // `deliver` exactly once, never later than the timeout: on this thread, or on a rescue thread
  // when this one is held inside a collector. Returns once `deliver` has returned (for a held
  // thread: once its collector returns, perhaps much later).
  void run(const std::vector<std::size_t>& which, const Deliver& deliver);

  std::size_t size() const;
  std::string_view name(std::size_t i) const;

 private:
  struct State;
  struct Run;
  // Shared with the executor threads: one stuck in a collector outlives the runner.
  std::shared_ptr<State> state_;
};

}  // namespace nodeprobe

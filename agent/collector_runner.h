#pragma once

#include <chrono>
#include <condition_variable>
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
  std::shared_ptr<const std::vector<RenderedFamily>> families;
};

// Runs collectors in isolation, off the request thread. A scrape queues the selected collectors
// and one executor thread runs them one after another (they take microseconds each; a thread
// per collector cost more in wake-ups than the collectors themselves, see docs/performance.md).
// A collector that blocks (a hung mount, a slow sysfs file) holds only the executor it is on:
// when the queue has waited on busy executors for a fraction of the timeout, the waiting scrape
// starts another executor for the rest, and surplus executors exit once idle.
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

  // Runs the collectors at the given indices (into the slots) and returns their outcomes in the
  // same order, never later than the timeout.
  std::vector<CollectorOutcome> run(const std::vector<std::size_t>& which);

  std::size_t size() const;
  std::string_view name(std::size_t i) const;

 private:
  struct State;
  // Shared with the executor threads: one stuck in a collector outlives the runner.
  std::shared_ptr<State> state_;
};

}  // namespace nodeprobe

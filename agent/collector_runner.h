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

// Runs collectors in isolation. Each enabled collector has its own worker thread, so a
// collector that blocks (a hung mount, a slow sysfs file) holds only its own thread.
// A scrape asks every selected collector for a run and waits for all of them until the
// deadline; a collector that misses it is reported as failed and its output dropped. A run that
// is still going when the next scrape arrives is joined while within its own deadline and not
// started again until it returns, so a stuck collector never piles up threads.
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

  // Runs the collectors at the given indices (into the slots) concurrently and returns their
  // outcomes in the same order, never later than the timeout.
  std::vector<CollectorOutcome> run(const std::vector<std::size_t>& which);

  std::size_t size() const { return workers_.size(); }
  std::string_view name(std::size_t i) const;

 private:
  struct Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::chrono::milliseconds timeout_;
};

}  // namespace nodeprobe

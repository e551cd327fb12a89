#include "agent/collector_runner.h"

#include <exception>

#include "agent/logging.h"

namespace nodeprobe {

using Clock = std::chrono::steady_clock;

struct CollectorRunner::Worker {
  std::string_view name;
  std::unique_ptr<Collector> collector;

  std::mutex mu;
  std::condition_variable wake;  // the worker waits for a request
  std::condition_variable done;  // scrapes wait for a finished run
  std::uint64_t requested = 0;   // generation asked for
  std::uint64_t finished = 0;    // generation last finished
  bool running = false;
  bool stopping = false;
  Clock::time_point started;
  CollectorOutcome last;  // outcome of generation `finished`
  CollectorOutcome::Status logged_status = CollectorOutcome::Status::kSuccess;
  std::thread thread;

  void loop();
  CollectorOutcome collect_once();
  void log_change(const CollectorOutcome& outcome);
};

CollectorOutcome CollectorRunner::Worker::collect_once() {
  CollectorOutcome out;
  out.name = name;
  MetricSink sink;
  auto start = Clock::now();
  try {
    collector->collect(sink);
    out.status = CollectorOutcome::Status::kSuccess;
  } catch (const FeatureAbsent& e) {
    out.status = CollectorOutcome::Status::kAbsent;
    out.error = e.what();
  } catch (const std::exception& e) {
    out.status = CollectorOutcome::Status::kFailed;
    out.error = e.what();
  } catch (...) {
    out.status = CollectorOutcome::Status::kFailed;
    out.error = "unknown exception";
  }
  if (out.status == CollectorOutcome::Status::kSuccess) {
    std::vector<std::string> problems;
    out.families = std::make_shared<const std::vector<RenderedFamily>>(
        render_families(sink.take(), &problems));
    if (sink.dropped() > 0) {
      problems.push_back(std::to_string(sink.dropped()) +
                         " samples dropped for a type conflict within the collector");
    }
    // Invalid output is a bug in the collector (or a bad textfile); say so without failing the
    // samples that were fine. Logged at debug to keep a bad file from flooding the log.
    for (const auto& p : problems) log::debug("dropped invalid output", {{"collector", name}, {"problem", p}});
  }
  out.duration_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

void CollectorRunner::Worker::log_change(const CollectorOutcome& outcome) {
  // Errors are logged once per change of state, not on every scrape.
  using S = CollectorOutcome::Status;
  if (outcome.status == logged_status) return;
  switch (outcome.status) {
    case S::kSuccess:
      log::info("collector recovered", {{"collector", name}});
      break;
    case S::kAbsent:
      log::info("collector found nothing to read on this host; reported as not successful",
                {{"collector", name}, {"reason", outcome.error}});
      break;
    case S::kFailed:
      log::error("collector failed", {{"collector", name}, {"err", outcome.error}});
      break;
    case S::kTimedOut:
    case S::kStillRunning:
      break;  // logged by the scrape that saw the deadline pass
  }
  logged_status = outcome.status;
}

void CollectorRunner::Worker::loop() {
  std::unique_lock lock(mu);
  while (true) {
    wake.wait(lock, [&] { return stopping || requested > finished; });
    if (stopping) return;
    std::uint64_t generation = requested;
    running = true;
    started = Clock::now();
    lock.unlock();
    CollectorOutcome outcome = collect_once();
    lock.lock();
    log_change(outcome);
    last = std::move(outcome);
    finished = generation;
    running = false;
    done.notify_all();
  }
}

CollectorRunner::CollectorRunner(std::vector<Slot> slots, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  for (auto& slot : slots) {
    auto w = std::make_unique<Worker>();
    w->name = slot.name;
    w->collector = std::move(slot.collector);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->thread = std::thread([p = w.get()] { p->loop(); });
}

CollectorRunner::~CollectorRunner() {
  for (auto& w : workers_) {
    std::lock_guard lock(w->mu);
    w->stopping = true;
    w->wake.notify_all();
  }
  for (auto& w : workers_) {
    // A worker stuck in a blocking read cannot be joined; leave it to process exit.
    std::unique_lock lock(w->mu);
    if (w->running) {
      lock.unlock();
      w->thread.detach();
      // The worker still owns its collector; leak the Worker rather than free it under it.
      (void)w.release();
      continue;
    }
    lock.unlock();
    w->thread.join();
  }
}

std::string_view CollectorRunner::name(std::size_t i) const { return workers_[i]->name; }

std::vector<CollectorOutcome> CollectorRunner::run(const std::vector<std::size_t>& which) {
  auto now = Clock::now();
  struct Pending {
    std::uint64_t generation;
    Clock::time_point deadline;
    bool stuck;
  };
  std::vector<Pending> pending;
  pending.reserve(which.size());
  for (std::size_t i : which) {
    Worker& w = *workers_[i];
    std::lock_guard lock(w.mu);
    if (w.running) {
      // Join the run under way; a run already past its deadline is stuck and not waited for.
      auto deadline = w.started + timeout_;
      pending.push_back({w.requested, deadline, deadline <= now});
    } else {
      w.requested = w.finished + 1;
      w.running = true;  // the worker sets it too; setting it here closes the race with a
      w.started = now;   // second scrape arriving before the worker wakes up
      w.wake.notify_one();
      pending.push_back({w.requested, now + timeout_, false});
    }
  }

  std::vector<CollectorOutcome> outcomes;
  outcomes.reserve(which.size());
  for (std::size_t k = 0; k < which.size(); ++k) {
    Worker& w = *workers_[which[k]];
    std::unique_lock lock(w.mu);
    bool ok = !pending[k].stuck && w.done.wait_until(lock, pending[k].deadline, [&] {
      return w.finished >= pending[k].generation;
    });
    if (ok) {
      outcomes.push_back(w.last);
      continue;
    }
    CollectorOutcome late;
    late.name = w.name;
    late.status = pending[k].stuck ? CollectorOutcome::Status::kStillRunning
                                   : CollectorOutcome::Status::kTimedOut;
    late.duration_seconds = std::chrono::duration<double>(Clock::now() - w.started).count();
    if (w.logged_status != late.status && w.logged_status != CollectorOutcome::Status::kTimedOut &&
        w.logged_status != CollectorOutcome::Status::kStillRunning) {
      log::error("collector missed its deadline; its output is dropped until it returns",
                 {{"collector", w.name},
                  {"timeout", std::to_string(timeout_.count()) + "ms"}});
    }
    w.logged_status = late.status;
    outcomes.push_back(std::move(late));
  }
  return outcomes;
}

}  // namespace nodeprobe

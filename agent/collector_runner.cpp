#include "agent/collector_runner.h"

#include <pthread.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <system_error>

#include "agent/logging.h"

namespace nodeprobe {

using Clock = std::chrono::steady_clock;

namespace {

// One scrape waiting for its collectors; executors count it down as they finish them.
struct Ticket {
  std::size_t remaining = 0;
  std::condition_variable finished;
};

}  // namespace

struct CollectorRunner::State {
  struct Job {
    std::string_view name;
    std::unique_ptr<Collector> collector;
    std::uint64_t requested = 0;     // generation asked for
    std::uint64_t finished = 0;      // generation last finished
    bool pending = false;            // a run is queued or executing
    bool executing = false;          // an executor is inside collect()
    Clock::time_point requested_at;  // the run's deadline counts from here
    Clock::time_point executing_since;
    CollectorOutcome last;  // outcome of generation `finished`
    CollectorOutcome::Status logged_status = CollectorOutcome::Status::kSuccess;
    std::vector<Ticket*> waiters;  // scrapes waiting for the pending run
  };

  std::chrono::milliseconds timeout{};
  // How long the queue waits behind executors that are all inside one collector each before
  // another executor is started for it.
  std::chrono::milliseconds handover{};
  std::vector<Job> jobs;  // fixed after construction

  // One lock for everything below and in the jobs: it is taken a few times per collector run,
  // which costs far less than the thread wake-ups it replaces.
  std::mutex mu;
  std::condition_variable work;    // executors wait for queued jobs
  std::condition_variable exited;  // the destructor waits for idle executors to leave
  std::deque<std::size_t> queue;
  int executors = 0;  // live executor threads, including those still starting
  int starting = 0;   // started but not yet looking at the queue
  int idle = 0;       // waiting for work
  bool stopping = false;

  CollectorOutcome collect_once(Job& job);
  void log_change(Job& job, const CollectorOutcome& outcome);
  int executing() const;
  void spawn_executor(const std::shared_ptr<State>& self);
  void hand_over_if_stuck(const std::shared_ptr<State>& self, Clock::time_point now);
  static void executor(std::shared_ptr<State> self);
};

CollectorOutcome CollectorRunner::State::collect_once(Job& job) {
  CollectorOutcome out;
  out.name = job.name;
  MetricSink sink;
  auto start = Clock::now();
  try {
    job.collector->collect(sink);
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
    for (const auto& p : problems) {
      log::debug("dropped invalid output", {{"collector", job.name}, {"problem", p}});
    }
  }
  out.duration_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

void CollectorRunner::State::log_change(Job& job, const CollectorOutcome& outcome) {
  // Errors are logged once per change of state, not on every scrape.
  using S = CollectorOutcome::Status;
  if (outcome.status == job.logged_status) return;
  switch (outcome.status) {
    case S::kSuccess:
      log::info("collector recovered", {{"collector", job.name}});
      break;
    case S::kAbsent:
      log::info("collector found nothing to read on this host; reported as not successful",
                {{"collector", job.name}, {"reason", outcome.error}});
      break;
    case S::kFailed:
      log::error("collector failed", {{"collector", job.name}, {"err", outcome.error}});
      break;
    case S::kTimedOut:
    case S::kStillRunning:
      break;  // logged by the scrape that saw the deadline pass
  }
  job.logged_status = outcome.status;
}

int CollectorRunner::State::executing() const {
  return static_cast<int>(
      std::count_if(jobs.begin(), jobs.end(), [](const Job& j) { return j.executing; }));
}

void CollectorRunner::State::spawn_executor(const std::shared_ptr<State>& self) {
  ++executors;
  ++starting;
  try {
    std::thread(&State::executor, self).detach();
  } catch (const std::system_error& e) {
    --executors;
    --starting;
    log::error("cannot start a collector thread; queued collectors wait for a busy one",
               {{"err", e.what()}});
  }
}

void CollectorRunner::State::hand_over_if_stuck(const std::shared_ptr<State>& self,
                                                Clock::time_point now) {
  if (queue.empty() || idle > 0 || starting > 0 || stopping) return;
  // Every executor is inside a collector; wait while one of them has only just begun.
  for (const auto& job : jobs) {
    if (job.executing && now - job.executing_since < handover) return;
  }
  spawn_executor(self);
}

void CollectorRunner::State::executor(std::shared_ptr<State> self) {
  pthread_setname_np(pthread_self(), "collector");
  State& s = *self;
  std::unique_lock lock(s.mu);
  --s.starting;
  while (!s.stopping) {
    if (s.queue.empty()) {
      // One idle executor is enough: one started to get around a stuck collector leaves here.
      if (s.idle > 0) break;
      ++s.idle;
      s.work.wait(lock, [&] { return s.stopping || !s.queue.empty(); });
      --s.idle;
      continue;
    }
    Job& job = s.jobs[s.queue.front()];
    s.queue.pop_front();
    std::uint64_t generation = job.requested;
    job.executing = true;
    job.executing_since = Clock::now();
    lock.unlock();
    CollectorOutcome outcome = s.collect_once(job);
    lock.lock();
    s.log_change(job, outcome);
    job.last = std::move(outcome);
    job.finished = generation;
    job.pending = false;
    job.executing = false;
    for (Ticket* t : job.waiters) {
      if (--t->remaining == 0) t->finished.notify_one();
    }
    job.waiters.clear();
  }
  --s.executors;
  s.exited.notify_all();
  // The last owner may be this thread: let go of the lock before the state goes.
  lock.unlock();
  self.reset();
}

CollectorRunner::CollectorRunner(std::vector<Slot> slots, std::chrono::milliseconds timeout)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.timeout = timeout;
  s.handover =
      std::clamp(timeout / 8, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
  s.jobs.reserve(slots.size());
  for (auto& slot : slots) {
    State::Job job;
    job.name = slot.name;
    job.collector = std::move(slot.collector);
    s.jobs.push_back(std::move(job));
  }
  std::lock_guard lock(s.mu);
  if (!s.jobs.empty()) s.spawn_executor(state_);
}

CollectorRunner::~CollectorRunner() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  s.stopping = true;
  s.work.notify_all();
  // Executors inside a collector (perhaps blocked in the kernel on a hung mount) cannot be
  // waited for; they keep the state and its collectors alive and leave when they return.
  s.exited.wait(lock, [&] { return s.executors == s.executing(); });
}

std::size_t CollectorRunner::size() const { return state_->jobs.size(); }

std::string_view CollectorRunner::name(std::size_t i) const { return state_->jobs[i].name; }

std::vector<CollectorOutcome> CollectorRunner::run(const std::vector<std::size_t>& which) {
  State& s = *state_;
  Ticket ticket;
  std::vector<std::uint64_t> generation(which.size());
  std::vector<Clock::time_point> deadline(which.size());
  std::vector<bool> stuck(which.size(), false);

  std::unique_lock lock(s.mu);
  auto now = Clock::now();
  bool queued = false;
  for (std::size_t k = 0; k < which.size(); ++k) {
    auto& job = s.jobs[which[k]];
    if (job.pending) {
      // Join the run under way; a run already past its deadline is stuck and not waited for.
      deadline[k] = job.requested_at + s.timeout;
      generation[k] = job.requested;
      if (deadline[k] <= now) {
        stuck[k] = true;
        continue;
      }
    } else {
      job.requested = job.finished + 1;
      job.pending = true;
      job.requested_at = now;
      s.queue.push_back(which[k]);
      queued = true;
      deadline[k] = now + s.timeout;
      generation[k] = job.requested;
    }
    job.waiters.push_back(&ticket);
    ++ticket.remaining;
  }
  if (queued) {
    if (s.idle > 0) {
      s.work.notify_one();
    } else {
      s.hand_over_if_stuck(state_, now);
    }
  }

  while (ticket.remaining > 0) {
    now = Clock::now();
    // Wait as long as the latest deadline among the collectors not yet finished.
    auto until = now;
    for (std::size_t k = 0; k < which.size(); ++k) {
      if (!stuck[k] && s.jobs[which[k]].finished < generation[k]) {
        until = std::max(until, deadline[k]);
      }
    }
    if (until <= now) break;
    s.hand_over_if_stuck(state_, now);
    ticket.finished.wait_until(lock, std::min(until, now + s.handover));
  }
  if (ticket.remaining > 0) {
    for (std::size_t i : which) {
      auto& waiters = s.jobs[i].waiters;
      waiters.erase(std::remove(waiters.begin(), waiters.end(), &ticket), waiters.end());
    }
  }

  now = Clock::now();
  std::vector<CollectorOutcome> outcomes;
  outcomes.reserve(which.size());
  for (std::size_t k = 0; k < which.size(); ++k) {
    auto& job = s.jobs[which[k]];
    if (!stuck[k] && job.finished >= generation[k]) {
      outcomes.push_back(job.last);
      continue;
    }
    CollectorOutcome late;
    late.name = job.name;
    late.status =
        stuck[k] ? CollectorOutcome::Status::kStillRunning : CollectorOutcome::Status::kTimedOut;
    late.duration_seconds = std::chrono::duration<double>(now - job.requested_at).count();
    if (job.logged_status != late.status &&
        job.logged_status != CollectorOutcome::Status::kTimedOut &&
        job.logged_status != CollectorOutcome::Status::kStillRunning) {
      log::error("collector missed its deadline; its output is dropped until it returns",
                 {{"collector", job.name}, {"timeout", std::to_string(s.timeout.count()) + "ms"}});
    }
    job.logged_status = late.status;
    outcomes.push_back(std::move(late));
  }
  return outcomes;
}

}  // namespace nodeprobe

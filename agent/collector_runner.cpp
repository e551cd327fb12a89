#include "agent/collector_runner.h"

#include <pthread.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <system_error>

#include "agent/logging.h"

namespace nodeprobe {

using Clock = std::chrono::steady_clock;

namespace {

timespec to_timespec(Clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (ns <= 0) ns = 1;  // zero would disarm the timer
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

}  // namespace

// One scrape: what it waits for, counted down as its collectors finish. Shared by the scrape's
// thread, and, when that thread is held inside a collector, the watchdog and a rescue thread.
struct CollectorRunner::Run {
  std::vector<std::size_t> which;
  std::vector<std::uint64_t> generation;
  std::vector<Clock::time_point> deadline;
  std::vector<bool> stuck;
  std::size_t remaining = 0;
  std::condition_variable finished;

  // For a run on its own thread (run with a Deliver), under State::mu:
  const Deliver* deliver = nullptr;
  bool in_collector = false;  // the scrape's thread is inside a collector ...
  Clock::time_point since;    // ... since then
  bool rescued = false;       // a rescue thread answers the scrape
  bool delivered = false;
  std::condition_variable delivered_cv;
};

struct CollectorRunner::State {
  struct Job {
    std::string_view name;
    std::unique_ptr<Collector> collector;
    MetricSink sink;                 // kept across runs, see MetricSink::reset
    std::uint64_t requested = 0;     // generation asked for
    std::uint64_t finished = 0;      // generation last finished
    bool pending = false;            // a run is queued or executing
    bool executing = false;          // an executor is inside collect()
    Clock::time_point requested_at;  // the run's deadline counts from here
    Clock::time_point executing_since;
    CollectorOutcome last;  // outcome of generation `finished`
    CollectorOutcome::Status logged_status = CollectorOutcome::Status::kSuccess;
    std::vector<Run*> waiters;  // scrapes waiting for the pending run
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

  // Scrapes running collectors on their own thread, for the watchdog to look after; and its
  // timer, armed for the earliest moment one of them could pass the hand-over time.
  std::vector<std::shared_ptr<Run>> inline_runs;
  int timer_fd = -1;
  Clock::time_point armed = Clock::time_point::max();
  bool watchdog_running = false;

  CollectorOutcome collect_once(Job& job);
  void log_change(Job& job, const CollectorOutcome& outcome);
  int executing() const;
  void spawn_executor(const std::shared_ptr<State>& self);
  void hand_over_if_stuck(const std::shared_ptr<State>& self, Clock::time_point now);
  void enqueue(Run& run, Clock::time_point now, bool& queued);
  void finish(Job& job, std::uint64_t generation, CollectorOutcome&& outcome);
  std::vector<CollectorOutcome> wait_for(const std::shared_ptr<State>& self, Run& run,
                                         std::unique_lock<std::mutex>& lock);
  void arm(Clock::time_point at);
  void rescue(const std::shared_ptr<State>& self, const std::shared_ptr<Run>& run);
  static void executor(std::shared_ptr<State> self);
  static void watchdog(std::shared_ptr<State> self);
};

CollectorOutcome CollectorRunner::State::collect_once(Job& job) {
  CollectorOutcome out;
  out.name = job.name;
  MetricSink& sink = job.sink;
  sink.reset();
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
    out.families = std::make_shared<const RenderedFamilies>(sink.render(&problems));
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
      // node_exporter logs its "no data" at debug: a host without the hardware is no news.
      log::debug("collector found nothing to read on this host; reported as not successful",
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
    s.finish(job, generation, std::move(outcome));
  }
  --s.executors;
  s.exited.notify_all();
  // The last owner may be this thread: let go of the lock before the state goes.
  lock.unlock();
  self.reset();
}

void CollectorRunner::State::finish(Job& job, std::uint64_t generation,
                                    CollectorOutcome&& outcome) {
  log_change(job, outcome);
  job.last = std::move(outcome);
  job.finished = generation;
  job.pending = false;
  job.executing = false;
  for (Run* r : job.waiters) {
    if (--r->remaining == 0) r->finished.notify_all();
  }
  job.waiters.clear();
}

void CollectorRunner::State::arm(Clock::time_point at) {
  if (timer_fd < 0 || at >= armed) return;  // an earlier check is set; it re-arms for the rest
  armed = at;
  itimerspec spec{};
  spec.it_value = to_timespec(at);
  ::timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

// Looks after the scrapes that run collectors on their own thread. It sleeps in read() on its
// timer, which a scrape arms once (a system call, no wake-up) and which fires only when a
// collector has been running for the hand-over time.
void CollectorRunner::State::watchdog(std::shared_ptr<State> self) {
  pthread_setname_np(pthread_self(), "watchdog");
  State& s = *self;
  std::unique_lock lock(s.mu);
  while (!s.stopping) {
    int fd = s.timer_fd;
    lock.unlock();
    std::uint64_t expirations = 0;
    ssize_t n = ::read(fd, &expirations, sizeof expirations);
    int err = errno;
    lock.lock();
    if (s.stopping) break;
    if (n < 0 && err != EINTR && err != EAGAIN) {
      log::error("collector watchdog timer failed; a held scrape waits for its collector",
                 {{"err", std::strerror(err)}});
      ::close(s.timer_fd);
      s.timer_fd = -1;  // scrapes run their collectors on executors from now on
      break;
    }
    auto now = Clock::now();
    s.armed = Clock::time_point::max();
    auto runs = s.inline_runs;  // rescue() may change the list
    for (const auto& r : runs) {
      if (!r->in_collector || r->rescued) continue;
      if (now - r->since >= s.handover) {
        s.rescue(self, r);
      } else {
        s.arm(r->since + s.handover);
      }
    }
  }
  s.watchdog_running = false;
  s.exited.notify_all();
  // The last owner may be this thread: let go of the lock before the state goes.
  lock.unlock();
  self.reset();
}

void CollectorRunner::State::rescue(const std::shared_ptr<State>& self,
                                    const std::shared_ptr<Run>& run) {
  // The queue goes on without the held thread.
  if (!queue.empty()) {
    if (idle > 0) {
      work.notify_one();
    } else {
      hand_over_if_stuck(self, Clock::now());
    }
  }
  run->rescued = true;
  try {
    std::thread([self, run] {
      pthread_setname_np(pthread_self(), "rescue");
      std::unique_lock lock(self->mu);
      auto outcomes = self->wait_for(self, *run, lock);
      lock.unlock();
      try {
        (*run->deliver)(std::move(outcomes), true);
      } catch (const std::exception& e) {
        // The held thread's handler frame owns the connection; nothing here may escape.
        log::error("answering a held scrape failed", {{"err", e.what()}});
      }
      lock.lock();
      run->delivered = true;
      run->delivered_cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    run->rescued = false;  // the held thread answers when its collector returns
    log::error("cannot start a rescue thread; a held scrape waits for its collector",
               {{"err", e.what()}});
  }
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
  if (s.jobs.empty()) return;
  s.spawn_executor(state_);
  s.timer_fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (s.timer_fd < 0) {
    log::error("cannot create the collector watchdog timer; collectors run on executor threads",
               {{"err", std::strerror(errno)}});
    return;
  }
  try {
    std::thread(&State::watchdog, state_).detach();
    s.watchdog_running = true;
  } catch (const std::system_error& e) {
    ::close(s.timer_fd);
    s.timer_fd = -1;
    log::error("cannot start the collector watchdog; collectors run on executor threads",
               {{"err", e.what()}});
  }
}

CollectorRunner::~CollectorRunner() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  s.stopping = true;
  s.work.notify_all();
  if (s.watchdog_running) {
    itimerspec now{};
    now.it_value = {0, 1};  // fire at once: the watchdog sees `stopping` and leaves
    ::timerfd_settime(s.timer_fd, 0, &now, nullptr);
  }
  // Executors inside a collector (perhaps blocked in the kernel on a hung mount) cannot be
  // waited for; they keep the state and its collectors alive and leave when they return.
  s.exited.wait(lock, [&] { return s.executors == s.executing() && !s.watchdog_running; });
  if (s.timer_fd >= 0) ::close(s.timer_fd);
  s.timer_fd = -1;
}

std::size_t CollectorRunner::size() const { return state_->jobs.size(); }

std::string_view CollectorRunner::name(std::size_t i) const { return state_->jobs[i].name; }

void CollectorRunner::State::enqueue(Run& run, Clock::time_point now, bool& queued) {
  std::size_t count = run.which.size();
  run.generation.resize(count);
  run.deadline.resize(count);
  run.stuck.assign(count, false);
  for (std::size_t k = 0; k < count; ++k) {
    auto& job = jobs[run.which[k]];
    if (job.pending) {
      // Join the run under way; a run already past its deadline is stuck and not waited for.
      run.deadline[k] = job.requested_at + timeout;
      run.generation[k] = job.requested;
      if (run.deadline[k] <= now) {
        run.stuck[k] = true;
        continue;
      }
    } else {
      job.requested = job.finished + 1;
      job.pending = true;
      job.requested_at = now;
      queue.push_back(run.which[k]);
      queued = true;
      run.deadline[k] = now + timeout;
      run.generation[k] = job.requested;
    }
    job.waiters.push_back(&run);
    ++run.remaining;
  }
}

std::vector<CollectorOutcome> CollectorRunner::State::wait_for(const std::shared_ptr<State>& self,
                                                               Run& run,
                                                               std::unique_lock<std::mutex>& lock) {
  const auto& which = run.which;
  auto now = Clock::now();
  while (run.remaining > 0) {
    now = Clock::now();
    // Wait as long as the latest deadline among the collectors not yet finished.
    auto until = now;
    for (std::size_t k = 0; k < which.size(); ++k) {
      if (!run.stuck[k] && jobs[which[k]].finished < run.generation[k]) {
        until = std::max(until, run.deadline[k]);
      }
    }
    if (until <= now) break;
    hand_over_if_stuck(self, now);
    run.finished.wait_until(lock, std::min(until, now + handover));
  }
  if (run.remaining > 0) {
    for (std::size_t i : which) {
      auto& waiters = jobs[i].waiters;
      waiters.erase(std::remove(waiters.begin(), waiters.end(), &run), waiters.end());
    }
    run.remaining = 0;
  }

  now = Clock::now();
  std::vector<CollectorOutcome> outcomes;
  outcomes.reserve(which.size());
  for (std::size_t k = 0; k < which.size(); ++k) {
    auto& job = jobs[which[k]];
    if (!run.stuck[k] && job.finished >= run.generation[k]) {
      outcomes.push_back(job.last);
      continue;
    }
    CollectorOutcome late;
    late.name = job.name;
    late.status = run.stuck[k] ? CollectorOutcome::Status::kStillRunning
                               : CollectorOutcome::Status::kTimedOut;
    late.duration_seconds = std::chrono::duration<double>(now - job.requested_at).count();
    if (job.logged_status != late.status &&
        job.logged_status != CollectorOutcome::Status::kTimedOut &&
        job.logged_status != CollectorOutcome::Status::kStillRunning) {
      log::error("collector missed its deadline; its output is dropped until it returns",
                 {{"collector", job.name}, {"timeout", std::to_string(timeout.count()) + "ms"}});
    }
    job.logged_status = late.status;
    outcomes.push_back(std::move(late));
  }
  return outcomes;
}

std::vector<CollectorOutcome> CollectorRunner::run(const std::vector<std::size_t>& which) {
  State& s = *state_;
  Run run;
  run.which = which;
  std::unique_lock lock(s.mu);
  bool queued = false;
  auto now = Clock::now();
  s.enqueue(run, now, queued);
  if (queued) {
    if (s.idle > 0) {
      s.work.notify_one();
    } else {
      s.hand_over_if_stuck(state_, now);
    }
  }
  return s.wait_for(state_, run, lock);
}

void CollectorRunner::run(const std::vector<std::size_t>& which, const Deliver& deliver) {
  State& s = *state_;
  auto run = std::make_shared<Run>();
  run->which = which;
  run->deliver = &deliver;
  std::unique_lock lock(s.mu);
  bool queued = false;
  s.enqueue(*run, Clock::now(), queued);
  if (s.timer_fd < 0) {
    // No watchdog: nothing could answer for this thread if it were held. Executors run them.
    if (queued && s.idle > 0) s.work.notify_one();
  } else {
    // Take queued collectors, this scrape's or another's, until none is left.
    s.inline_runs.push_back(run);
    while (!s.stopping && !s.queue.empty()) {
      auto& job = s.jobs[s.queue.front()];
      s.queue.pop_front();
      std::uint64_t generation = job.requested;
      auto started = Clock::now();
      job.executing = true;
      job.executing_since = started;
      run->in_collector = true;
      run->since = started;
      s.arm(started + s.handover);
      lock.unlock();
      CollectorOutcome outcome = s.collect_once(job);
      lock.lock();
      run->in_collector = false;
      s.finish(job, generation, std::move(outcome));
      if (run->rescued) break;  // answered elsewhere; what is left is the executors'
    }
    std::erase(s.inline_runs, run);
    if (s.inline_runs.empty() && s.armed != Clock::time_point::max()) {
      s.armed = Clock::time_point::max();
      itimerspec off{};
      ::timerfd_settime(s.timer_fd, TFD_TIMER_ABSTIME, &off, nullptr);
    }
    if (run->rescued) {
      run->delivered_cv.wait(lock, [&] { return run->delivered; });
      return;
    }
  }
  auto outcomes = s.wait_for(state_, *run, lock);
  lock.unlock();
  deliver(std::move(outcomes), false);
}

}  // namespace nodeprobe

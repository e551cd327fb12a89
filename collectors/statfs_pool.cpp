#include "collectors/statfs_pool.h"

#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "agent/logging.h"

namespace nodeprobe {

StatfsAnswer statfs_path(const std::string& path) {
  struct statfs st {};
  StatfsAnswer a;
  if (::statfs(path.c_str(), &st) != 0) {
    a.error = errno;
    return a;
  }
  auto block = static_cast<double>(st.f_bsize);
  a.size_bytes = static_cast<double>(st.f_blocks) * block;
  a.free_bytes = static_cast<double>(st.f_bfree) * block;
  a.avail_bytes = static_cast<double>(st.f_bavail) * block;
  a.files = static_cast<double>(st.f_files);
  a.files_free = static_cast<double>(st.f_ffree);
  return a;
}

namespace {

// How long a scrape lets its statfs calls queue behind one thread before it puts more to work.
constexpr std::chrono::milliseconds kHelpAfter{2};

}  // namespace

struct StatfsPool::State {
  struct Entry {
    std::string path;
    enum class Phase { kIdle, kQueued, kRunning } phase = Phase::kIdle;
    Clock::time_point started;
    bool stuck = false;      // running past the timeout; a pool thread's counts in `stuck`
    bool trusted = false;    // the last call answered within the timeout
    bool on_caller = false;  // running on a stat_all caller's thread, not a pool thread
    bool wanted = true;      // asked for by the latest stat_all
    std::uint64_t answers = 0;
    StatfsAnswer last;
  };

  Options options;
  StatfsFunction statfs;

  std::mutex mu;
  std::condition_variable work;      // idle threads wait for a queued call
  std::condition_variable answered;  // stat_all waits for answers
  std::condition_variable exited;    // the destructor waits for idle threads to leave
  std::unordered_map<std::string, Entry> entries;
  // Mounts that answered before go first, then new mounts on block devices, then the other new
  // ones (network and FUSE mounts, the ones that hang), so those cannot keep the others waiting.
  std::deque<std::string> trusted_queue;
  std::deque<std::string> local_queue;
  std::deque<std::string> untrusted_queue;
  std::size_t threads = 0;
  std::size_t idle = 0;
  std::size_t stuck = 0;
  bool stopping = false;

  std::size_t max_threads() const { return options.workers + std::min(stuck, options.workers); }

  // Takes the next queued call this thread may run. Once every replacement for blocked threads
  // is used up, the last idle thread is kept for trusted mounts and local disks.
  bool pick(std::string& key) {
    if (take(trusted_queue, key) || take(local_queue, key)) return true;
    bool spare = stuck < options.workers || idle >= 2;
    return spare && take(untrusted_queue, key);
  }

  bool take(std::deque<std::string>& queue, std::string& key) {
    while (!queue.empty()) {
      std::string k = std::move(queue.front());
      queue.pop_front();
      auto it = entries.find(k);
      if (it == entries.end() || it->second.phase != Entry::Phase::kQueued) continue;
      if (!it->second.wanted) {
        entries.erase(it);  // unmounted while it waited
        continue;
      }
      it->second.phase = Entry::Phase::kRunning;
      it->second.started = Clock::now();
      key = std::move(k);
      return true;
    }
    return false;
  }

  void mark_stuck(Entry& e) {
    if (e.stuck) return;
    e.stuck = true;
    e.trusted = false;
    if (!e.on_caller) ++stuck;
    log::warn("statfs did not answer within the mount timeout; reporting the mount as stuck",
              {{"collector", "filesystem"}, {"path", e.path}});
  }

  // Takes what a call said; true when the call had been reported stuck. A running entry is
  // never erased, so it is still there.
  bool record(const std::string& key, const StatfsAnswer& answer) {
    auto it = entries.find(key);
    Entry& e = it->second;
    bool was_stuck = e.stuck;
    e.phase = Entry::Phase::kIdle;
    e.stuck = false;
    e.trusted = !was_stuck;
    e.on_caller = false;
    e.last = answer;
    ++e.answers;
    if (was_stuck) {
      log::info("statfs answered again; the mount is reported again",
                {{"collector", "filesystem"}, {"path", e.path}});
    }
    if (!e.wanted) entries.erase(it);
    return was_stuck;
  }

  // statfs through the user's function; an exception cannot leave a pool thread, nor cut a
  // scrape short.
  StatfsAnswer call(const std::string& path) const {
    try {
      return statfs(path);
    } catch (...) {
      StatfsAnswer answer;
      answer.error = EIO;
      return answer;
    }
  }

  std::size_t queued() const {
    return trusted_queue.size() + local_queue.size() + untrusted_queue.size();
  }

  // Makes sure queued calls have threads to run them: one thread, which takes the calls one
  // after another (statfs answers in microseconds, and every thread woken costs more than
  // that), or with `all`, as many as there are calls, within the limits. stat_all asks for all
  // once a call has kept the queue waiting for kHelpAfter.
  static void spawn_as_needed(const std::shared_ptr<State>& s, bool all) {
    std::size_t queued = s->queued();
    if (queued == 0 || s->stopping) return;
    std::size_t wanted = all ? queued : 1;
    while (s->idle < wanted && s->threads < s->max_threads() &&
           s->threads - s->stuck < s->options.workers) {
      try {
        std::thread([s] { run_worker(s); }).detach();
      } catch (const std::system_error& e) {
        log::error("cannot start a statfs thread",
                   {{"collector", "filesystem"}, {"err", e.what()}});
        break;
      }
      ++s->threads;
      ++s->idle;
    }
    if (all) {
      s->work.notify_all();
    } else {
      s->work.notify_one();
    }
  }

  // Threads are detached: one blocked in statfs can be neither joined nor cancelled. Each holds
  // the state it needs, so it may outlive the pool and leaves when its call returns.
  static void run_worker(std::shared_ptr<State> s) {
    std::unique_lock lock(s->mu);
    // Waiters on `answered` are woken when this thread runs out of calls, not after each one:
    // a scrape's calls usually all go through one thread, and its waiter wakes once.
    bool unannounced = false;
    while (true) {
      std::string key;
      if (!s->stopping && !s->pick(key)) {
        if (unannounced) s->answered.notify_all();
        unannounced = false;
        s->work.wait(lock, [&] { return s->stopping || s->pick(key); });
      }
      --s->idle;
      if (key.empty()) break;  // stopping

      std::string path = s->entries.at(key).path;
      lock.unlock();
      StatfsAnswer answer = s->call(path);
      lock.lock();

      bool was_stuck = s->record(key, answer);
      unannounced = true;
      if (was_stuck) {
        --s->stuck;
        s->answered.notify_all();
        unannounced = false;
        s->work.notify_all();  // a freed replacement slot may allow untrusted work again
        // A replacement took this thread's place while it was blocked: one of them leaves.
        if (s->threads - s->stuck > s->options.workers) break;
      }
      ++s->idle;
    }
    if (unannounced) s->answered.notify_all();
    --s->threads;
    s->exited.notify_all();
  }
};

StatfsPool::StatfsPool(Options options, StatfsFunction statfs) : state_(std::make_shared<State>()) {
  if (options.workers == 0) options.workers = 1;
  state_->options = options;
  state_->statfs = std::move(statfs);
}

StatfsPool::~StatfsPool() {
  std::unique_lock lock(state_->mu);
  state_->stopping = true;
  state_->trusted_queue.clear();
  state_->local_queue.clear();
  state_->untrusted_queue.clear();
  state_->work.notify_all();
  // Idle threads leave at once; those inside statfs leave when it returns.
  state_->exited.wait(lock, [&] { return state_->idle == 0; });
}

std::size_t StatfsPool::threads() const {
  std::lock_guard lock(state_->mu);
  return state_->threads;
}

std::size_t StatfsPool::stuck_threads() const {
  std::lock_guard lock(state_->mu);
  return state_->stuck;
}

std::vector<StatfsPool::Result> StatfsPool::stat_all(const std::vector<Request>& requests,
                                                     Clock::time_point wait_until) {
  using Entry = State::Entry;
  State& s = *state_;
  std::vector<Result> results(requests.size());
  std::vector<std::uint64_t> target(requests.size());
  std::vector<bool> done(requests.size(), false);

  std::unique_lock lock(s.mu);
  std::unordered_set<std::string_view> wanted;
  for (const auto& r : requests) wanted.insert(r.key);
  for (auto it = s.entries.begin(); it != s.entries.end();) {
    bool keep = wanted.contains(it->first);
    it->second.wanted = keep;
    if (!keep && it->second.phase == Entry::Phase::kIdle) {
      it = s.entries.erase(it);
    } else {
      ++it;
    }
  }

  auto now = Clock::now();
  std::vector<std::size_t> on_this_thread;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Entry& e = s.entries[requests[i].key];
    switch (e.phase) {
      case Entry::Phase::kIdle:
        e.path = requests[i].path;
        if (requests[i].local && e.trusted) {
          e.phase = Entry::Phase::kRunning;
          e.started = now;
          e.on_caller = true;
          on_this_thread.push_back(i);
          break;
        }
        e.phase = Entry::Phase::kQueued;
        (e.trusted                  ? s.trusted_queue
         : requests[i].block_device ? s.local_queue
                                    : s.untrusted_queue)
            .push_back(requests[i].key);
        break;
      case Entry::Phase::kRunning:
        if (e.stuck || now >= e.started + s.options.timeout) {
          s.mark_stuck(e);
          results[i].status = Result::Status::kStuck;
          done[i] = true;
        }
        break;
      case Entry::Phase::kQueued:
        break;  // still waiting from an earlier scrape: join it
    }
    target[i] = e.answers + 1;
  }
  State::spawn_as_needed(state_, false);
  // The pool's thread works through the queue meanwhile.
  for (std::size_t i : on_this_thread) {
    const std::string& key = requests[i].key;
    std::string path = s.entries.at(key).path;
    lock.unlock();
    StatfsAnswer answer = s.call(path);
    lock.lock();
    s.record(key, answer);
    s.answered.notify_all();  // another scrape may have joined this call
    results[i].status = Result::Status::kAnswered;
    results[i].answer = answer;
    done[i] = true;
  }
  // Should the queue still wait after this long (a call ahead of it blocks), every thread the
  // limits allow is put to work.
  auto help_at = Clock::now() + kHelpAfter;

  while (true) {
    now = Clock::now();
    bool all_done = true;
    auto wake = wait_until;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (done[i]) continue;
      auto it = s.entries.find(requests[i].key);
      if (it == s.entries.end()) {
        // Answered and forgotten, as a concurrent scrape no longer lists the mount: no
        // answer for this scrape (the agent never runs one collector twice at once).
        done[i] = true;
        continue;
      }
      Entry& e = it->second;
      if (e.answers >= target[i]) {
        results[i].status = Result::Status::kAnswered;
        results[i].answer = e.last;
        done[i] = true;
      } else if (e.phase == Entry::Phase::kRunning && now >= e.started + s.options.timeout) {
        s.mark_stuck(e);
        results[i].status = Result::Status::kStuck;
        done[i] = true;
      } else {
        all_done = false;
        if (e.phase == Entry::Phase::kRunning) {
          wake = std::min(wake, e.started + s.options.timeout);
        }
      }
    }
    if (all_done || now >= wait_until) break;
    // A call that just became stuck frees a slot for a replacement thread.
    State::spawn_as_needed(state_, now >= help_at);
    if (now < help_at && s.queued() > 0) wake = std::min(wake, help_at);
    s.answered.wait_until(lock, wake);
  }
  // What this scrape stopped waiting for is still run, for a later scrape.
  State::spawn_as_needed(state_, true);
  return results;
}

}  // namespace nodeprobe

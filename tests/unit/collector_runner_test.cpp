#include "agent/collector_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
using Status = CollectorOutcome::Status;

class ConstantCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override { sink.gauge("test_value", "A value.", 42); }
};

class ThrowingCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    sink.gauge("partial_value", "Written before the failure.", 1);
    throw std::runtime_error("boom");
  }
};

class AbsentCollector final : public Collector {
 public:
  void collect(MetricSink&) override { throw FeatureAbsent("no such feature"); }
};

// Blocks in collect() until released, like a read from a hung mount.
class BlockingCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    ++started;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released; });
    sink.gauge("blocked_value", "Written after release.", 1);
  }
  void release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  std::atomic<int> started{0};
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
};

std::string text_of(const CollectorOutcome& o) {
  return o.families ? o.families->text : std::string();
}

TEST(CollectorRunner, SuccessFailureAndAbsenceAreReportedApart) {
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"constant", std::make_unique<ConstantCollector>()});
  slots.push_back({"throwing", std::make_unique<ThrowingCollector>()});
  slots.push_back({"absent", std::make_unique<AbsentCollector>()});
  CollectorRunner runner(std::move(slots), 2000ms);
  auto outcomes = runner.run({0, 1, 2});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].status, Status::kSuccess);
  EXPECT_EQ(text_of(outcomes[0]),
            "# HELP test_value A value.\n# TYPE test_value gauge\ntest_value 42\n");
  EXPECT_EQ(outcomes[1].status, Status::kFailed);
  EXPECT_EQ(outcomes[1].error, "boom");
  EXPECT_EQ(text_of(outcomes[1]), "") << "partial output of a failed collector is dropped";
  EXPECT_EQ(outcomes[2].status, Status::kAbsent);
  EXPECT_EQ(outcomes[2].error, "no such feature");
}

TEST(CollectorRunner, StuckCollectorTimesOutAndIsNotStartedAgain) {
  auto blocking = std::make_unique<BlockingCollector>();
  auto* blocker = blocking.get();
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"blocking", std::move(blocking)});
  slots.push_back({"constant", std::make_unique<ConstantCollector>()});
  CollectorRunner runner(std::move(slots), 200ms);

  auto first = runner.run({0, 1});
  EXPECT_EQ(first[0].status, Status::kTimedOut);
  EXPECT_EQ(text_of(first[0]), "");
  EXPECT_EQ(first[1].status, Status::kSuccess) << "the others are served on time";

  // The next scrape finds it still running past its deadline: reported at once, not restarted.
  auto second = runner.run({0, 1});
  EXPECT_EQ(second[0].status, Status::kStillRunning);
  EXPECT_EQ(second[1].status, Status::kSuccess);
  EXPECT_EQ(blocker->started.load(), 1);

  // Once it returns, the next scrape starts it again and it succeeds if it no longer blocks.
  blocker->release();
  CollectorOutcome third;
  for (int i = 0; i < 50; ++i) {
    third = runner.run({0})[0];
    if (third.status == Status::kSuccess) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(third.status, Status::kSuccess);
  EXPECT_EQ(blocker->started.load(), 2);
}

TEST(CollectorRunner, ConcurrentScrapesShareOneRun) {
  auto blocking = std::make_unique<BlockingCollector>();
  auto* blocker = blocking.get();
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"blocking", std::move(blocking)});
  CollectorRunner runner(std::move(slots), 5000ms);
  CollectorOutcome a, b;
  std::thread ta([&] { a = runner.run({0})[0]; });
  while (blocker->started.load() == 0) std::this_thread::sleep_for(1ms);
  std::thread tb([&] { b = runner.run({0})[0]; });
  std::this_thread::sleep_for(50ms);
  blocker->release();
  ta.join();
  tb.join();
  EXPECT_EQ(a.status, Status::kSuccess);
  EXPECT_EQ(b.status, Status::kSuccess);
  EXPECT_EQ(blocker->started.load(), 1) << "the second scrape joined the first one's run";
  EXPECT_EQ(text_of(a), text_of(b));
}

// What a run with a Deliver handed over, and where.
struct Delivery {
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  bool rescued = false;
  std::thread::id thread;
  std::vector<CollectorOutcome> outcomes;

  CollectorRunner::Deliver callback() {
    return [this](std::vector<CollectorOutcome>&& o, bool r) {
      std::lock_guard lock(mu);
      ++calls;
      rescued = r;
      thread = std::this_thread::get_id();
      outcomes = std::move(o);
      cv.notify_all();
    };
  }
  bool wait(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [&] { return calls > 0; });
  }
};

TEST(CollectorRunner, InlineRunDeliversOnTheCallingThread) {
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"constant", std::make_unique<ConstantCollector>()});
  slots.push_back({"throwing", std::make_unique<ThrowingCollector>()});
  CollectorRunner runner(std::move(slots), 2000ms);
  Delivery d;
  runner.run({0, 1}, d.callback());
  EXPECT_EQ(d.calls, 1);
  EXPECT_FALSE(d.rescued);
  EXPECT_EQ(d.thread, std::this_thread::get_id());
  ASSERT_EQ(d.outcomes.size(), 2u);
  EXPECT_EQ(d.outcomes[0].status, Status::kSuccess);
  EXPECT_EQ(text_of(d.outcomes[0]),
            "# HELP test_value A value.\n# TYPE test_value gauge\ntest_value 42\n");
  EXPECT_EQ(d.outcomes[1].status, Status::kFailed);
}

TEST(CollectorRunner, HeldThreadIsAnsweredForByTheDeadline) {
  auto blocking = std::make_unique<BlockingCollector>();
  auto* blocker = blocking.get();
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"blocking", std::move(blocking)});
  slots.push_back({"constant", std::make_unique<ConstantCollector>()});
  CollectorRunner runner(std::move(slots), 200ms);
  Delivery d;
  auto callback = d.callback();
  std::thread scrape([&] { runner.run({0, 1}, callback); });
  // The answer comes while the scrape's own thread is still held inside the blocking collector.
  ASSERT_TRUE(d.wait(5s)) << "no answer while the scrape's thread was held";
  {
    std::lock_guard lock(d.mu);
    EXPECT_TRUE(d.rescued);
    EXPECT_NE(d.thread, scrape.get_id());
    ASSERT_EQ(d.outcomes.size(), 2u);
    EXPECT_EQ(d.outcomes[0].status, Status::kTimedOut);
    EXPECT_EQ(d.outcomes[1].status, Status::kSuccess)
        << "the collector queued behind the held one ran on an executor";
  }
  blocker->release();
  scrape.join();
  EXPECT_EQ(d.calls, 1) << "delivered exactly once";

  // Once it has returned, the next scrape runs it again, on its own thread.
  Delivery next;
  runner.run({0, 1}, next.callback());
  EXPECT_FALSE(next.rescued);
  ASSERT_EQ(next.outcomes.size(), 2u);
  EXPECT_EQ(next.outcomes[0].status, Status::kSuccess);
  EXPECT_EQ(blocker->started.load(), 2);
}

// Slow, but well within the deadline.
class SlowCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::this_thread::sleep_for(150ms);
    sink.gauge("slow_value", "Written late.", 1);
  }
};

TEST(CollectorRunner, SlowCollectorPastTheHandOverStillCounts) {
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"slow", std::make_unique<SlowCollector>()});
  slots.push_back({"constant", std::make_unique<ConstantCollector>()});
  CollectorRunner runner(std::move(slots), 2000ms);  // hand-over after 100 ms
  Delivery d;
  runner.run({0, 1}, d.callback());
  EXPECT_EQ(d.calls, 1);
  EXPECT_TRUE(d.rescued) << "150 ms is past the hand-over time";
  ASSERT_EQ(d.outcomes.size(), 2u);
  EXPECT_EQ(d.outcomes[0].status, Status::kSuccess) << "the rescue waits for it until the deadline";
  EXPECT_EQ(d.outcomes[1].status, Status::kSuccess);
}

TEST(CollectorRunner, RunsOnlyTheSelectedCollectors) {
  std::vector<CollectorRunner::Slot> slots;
  slots.push_back({"a", std::make_unique<ConstantCollector>()});
  slots.push_back({"b", std::make_unique<ThrowingCollector>()});
  CollectorRunner runner(std::move(slots), 1000ms);
  auto outcomes = runner.run({1});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].name, "b");
  EXPECT_TRUE(runner.run({}).empty());
}

}  // namespace
}  // namespace nodeprobe

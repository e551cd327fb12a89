// PodCache: Job-run counting (baseline, started, finished by result, never twice), retention of
// pods that went away, and the PodDirectory it keeps for the workloads collector.
#include "collectors/kube_pod_cache.h"

#include <gtest/gtest.h>

#include "tests/unit/kube_test_pods.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
using testing::pod_json;
using testing::TestPod;

PodState parsed(const TestPod& p) {
  return *parse_watch_event(R"({"type":"ADDED","object":)" + pod_json(p) + "}", {}).pod;
}

TestPod job_pod(std::string name, std::string phase = "Running", std::string finished = "") {
  TestPod p;
  p.name = name;
  p.uid = "uid-" + name;
  p.job = "nightly";
  p.phase = std::move(phase);
  p.finished = std::move(finished);
  p.container_id = "cid-" + name;
  return p;
}

class PodCacheTest : public ::testing::Test {
 protected:
  PodCache::JobCounts counts(const std::string& job = "nightly") {
    auto jobs = cache_.snapshot().jobs;
    auto it = jobs.find({"batch", job});
    return it == jobs.end() ? PodCache::JobCounts{} : it->second;
  }
  bool has_job(const std::string& job = "nightly") {
    return cache_.snapshot().jobs.contains({"batch", job});
  }

  PodCache::Clock::time_point t0_ = PodCache::Clock::now();
  PodDirectory directory_;
  PodCache cache_{directory_, 300s};
};

TEST_F(PodCacheTest, FirstListIsABaseline) {
  cache_.replace({parsed(job_pod("a")), parsed(job_pod("b", "Succeeded", "2026-11-21T10:01:00Z"))},
                 t0_);
  EXPECT_EQ(counts().started, 0u);
  EXPECT_EQ(counts().finished, (std::array<std::uint64_t, 4>{0, 0, 0, 0}));
  EXPECT_TRUE(has_job());  // the series exists at 0, so that rate() sees the first run
  EXPECT_EQ(cache_.size(), 2u);

  // A baseline pod that ends now is counted as finished; one that started now as started.
  cache_.upsert(parsed(job_pod("a", "Failed", "2026-11-21T10:02:00Z")), t0_);
  cache_.upsert(parsed(job_pod("c")), t0_);
  EXPECT_EQ(counts().started, 1u);
  EXPECT_EQ(counts().finished, (std::array<std::uint64_t, 4>{0, 1, 0, 0}));
}

TEST_F(PodCacheTest, EachPodCountsOnceWhateverTheEventsRepeat) {
  cache_.replace({}, t0_);
  TestPod pending = job_pod("a", "Pending");
  pending.start = "";
  cache_.upsert(parsed(pending), t0_);
  EXPECT_EQ(counts().started, 0u);  // not accepted by the kubelet yet
  cache_.upsert(parsed(job_pod("a")), t0_);
  cache_.upsert(parsed(job_pod("a")), t0_);
  cache_.upsert(parsed(job_pod("a", "Succeeded", "2026-11-21T10:01:00Z")), t0_);
  cache_.upsert(parsed(job_pod("a", "Succeeded", "2026-11-21T10:01:00Z")), t0_);
  // A relist that brings the same pod again counts nothing more.
  cache_.replace({parsed(job_pod("a", "Succeeded", "2026-11-21T10:01:00Z"))}, t0_);
  cache_.remove(parsed(job_pod("a", "Succeeded", "2026-11-21T10:01:00Z")), t0_);
  EXPECT_EQ(counts().started, 1u);
  EXPECT_EQ(counts().finished, (std::array<std::uint64_t, 4>{1, 0, 0, 0}));
}

TEST_F(PodCacheTest, APodSeenOnlyWhenItIsGoneStillCounts) {
  // Two seconds of life between two scrapes, and the watch only delivered its deletion.
  cache_.replace({}, t0_);
  TestPod brief = job_pod("brief", "Failed", "2026-11-21T10:00:02Z");
  brief.terminated_reason = "OOMKilled";
  cache_.remove(parsed(brief), t0_);
  EXPECT_EQ(counts().started, 1u);
  EXPECT_EQ(counts().finished, (std::array<std::uint64_t, 4>{0, 0, 1, 0}));
  auto pods = cache_.snapshot().pods;
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].start_time, 1795255200);
  EXPECT_EQ(pods[0].completion_time, 1795255202);
  EXPECT_EQ(pods[0].result, PodResult::kOomKilled);
}

TEST_F(PodCacheTest, GonePodsStayForTheRetentionWindow) {
  cache_.replace({parsed(job_pod("a")), parsed(job_pod("b"))}, t0_);
  ASSERT_TRUE(directory_.container("cid-a"));
  EXPECT_EQ(directory_.container("cid-a")->pod, "a");
  EXPECT_EQ(directory_.container("cid-a")->container, "main");

  cache_.remove(parsed(job_pod("a", "Succeeded", "2026-11-21T10:01:00Z")), t0_);
  cache_.replace({parsed(job_pod("b"))}, t0_ + 10s);  // a relist: a is not in it, b is
  cache_.expire(t0_ + 299s);
  EXPECT_EQ(cache_.size(), 2u);
  EXPECT_TRUE(directory_.container("cid-a"));  // the workloads collector can still name it

  cache_.expire(t0_ + 300s);
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_FALSE(directory_.container("cid-a"));
  EXPECT_FALSE(directory_.pod("uid-a"));
  EXPECT_TRUE(has_job());  // b is still there

  // A relist without b: gone from then on, and the Job's counters go with its last pod.
  cache_.replace({}, t0_ + 400s);
  cache_.expire(t0_ + 699s);
  EXPECT_TRUE(has_job());
  cache_.expire(t0_ + 700s);
  EXPECT_FALSE(has_job());
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_EQ(directory_.size(), 0u);
}

TEST_F(PodCacheTest, ResultsByKind) {
  cache_.replace({}, t0_);
  TestPod oom = job_pod("oom", "Failed", "2026-11-21T10:00:05Z");
  oom.terminated_reason = "OOMKilled";
  TestPod evicted = job_pod("ev", "Failed", "2026-11-21T10:00:05Z");
  evicted.pod_reason = "Evicted";
  TestPod failed = job_pod("err", "Failed", "2026-11-21T10:00:05Z");
  failed.terminated_reason = "Error";
  for (const auto& p : {oom, evicted, failed, job_pod("ok", "Succeeded", "2026-11-21T10:00:05Z")}) {
    cache_.upsert(parsed(p), t0_);
  }
  EXPECT_EQ(counts().started, 4u);
  EXPECT_EQ(counts().finished, (std::array<std::uint64_t, 4>{1, 1, 1, 1}));
}

TEST_F(PodCacheTest, PodsWithoutJobAreNotJobRuns) {
  cache_.replace({}, t0_);
  TestPod web;
  web.name = "web";
  web.uid = "uid-web";
  cache_.upsert(parsed(web), t0_);
  EXPECT_TRUE(cache_.snapshot().jobs.empty());
  EXPECT_EQ(cache_.snapshot().pods.size(), 1u);
}

TEST_F(PodCacheTest, FirstListClearsWhatAnEarlierWatcherLeft) {
  PodRecord stale;
  stale.uid = "stale";
  stale.containers = {{"c", "cid-stale"}};
  directory_.upsert(stale);
  cache_.replace({parsed(job_pod("a"))}, t0_);
  EXPECT_FALSE(directory_.pod("stale"));
  EXPECT_TRUE(directory_.pod("uid-a"));
}

}  // namespace
}  // namespace nodeprobe

// The pod watcher against a fake API server in this process that speaks the real list and watch
// wire format: list then watch with bookmarks, resume after a closed stream, relist on 410 Gone
// (as an ERROR event and as a status), back-off with jitter on 5xx, a token read afresh after a
// 401, malformed and oversized events skipped, unreachable servers, HTTPS with the CA file.
#include "collectors/kube_watch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <thread>

#include "tests/unit/collector_harness.h"
#include "tests/unit/fake_kube_api.h"
#include "tests/unit/kube_test_pods.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
using testing::FakeKubeApi;
using testing::pod_json;
using testing::TempDir;
using testing::TestPod;

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TestPod pod(std::string name, std::string phase = "Running", std::string finished = "") {
  TestPod p;
  p.name = name;
  p.uid = "uid-" + name;
  p.job = "nightly";
  p.phase = std::move(phase);
  p.finished = std::move(finished);
  p.container_id = "cid-" + name;
  return p;
}

void add(FakeKubeApi& api, const TestPod& p, const std::string& type = "ADDED") {
  api.apply(type, p.uid, pod_json(p));
}

std::string query_value(const std::string& query, std::string_view key) {
  auto values = query_values(query, key);
  return values.empty() ? "<absent>" : values[0];
}

class PodWatchTest : public ::testing::Test {
 protected:
  // One server for the suite, reset between tests: stopping civetweb costs two seconds.
  static void SetUpTestSuite() { shared_api_ = new FakeKubeApi(); }
  static void TearDownTestSuite() {
    delete shared_api_;
    shared_api_ = nullptr;
  }

  void SetUp() override {
    api_.reset();
    dir_.write("token", "token-1\n");
    api_.require_token("token-1");
  }
  void TearDown() override { watcher_.reset(); }

  PodWatchOptions options() {
    PodWatchOptions o;
    o.endpoint.base_url = api_.url();
    o.endpoint.token_file = dir_.path() + "/token";
    o.node_name = "node-a";
    o.backoff_initial = 20ms;
    o.backoff_max = 200ms;
    o.max_event_bytes = 64 << 10;
    o.max_list_bytes = 1 << 20;
    return o;
  }

  PodWatcher& start(PodWatchOptions o) {
    watcher_ = std::make_unique<PodWatcher>(std::move(o), cache_);
    watcher_->start();
    return *watcher_;
  }
  PodWatcher& start() { return start(options()); }

  // Synced with the API and its watch open.
  void wait_watching() {
    ASSERT_TRUE(wait_until([&] { return watcher_->synced() && api_.open_watches() == 1; }));
  }

  static inline FakeKubeApi* shared_api_ = nullptr;
  TempDir dir_;
  FakeKubeApi& api_ = *shared_api_;
  PodDirectory directory_;
  PodCache cache_{directory_, 300s};
  std::unique_ptr<PodWatcher> watcher_;  // last: stopped before the rest goes
};

TEST_F(PodWatchTest, ListsThenWatchesThisNodesPods) {
  add(api_, pod("a"));
  int listed_at = api_.resource_version();
  auto& watcher = start();
  wait_watching();
  EXPECT_TRUE(directory_.pod("uid-a"));

  add(api_, pod("b"));
  add(api_, pod("a", "Succeeded", "2026-11-21T10:05:00Z"), "MODIFIED");
  add(api_, pod("b", "Failed", "2026-11-21T10:05:00Z"), "DELETED");
  ASSERT_TRUE(wait_until([&] { return watcher.events() == 3; }));
  EXPECT_EQ(directory_.container("cid-b")->pod, "b");  // gone, but kept for the retention
  auto nightly = cache_.snapshot().jobs[PodCache::JobKey("batch", "nightly")];
  EXPECT_EQ(nightly.started, 1u);  // b; a was in the baseline
  EXPECT_EQ(nightly.finished, (std::array<std::uint64_t, 4>{1, 1, 0, 0}));

  auto requests = api_.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_FALSE(requests[0].watch);
  EXPECT_EQ(query_value(requests[0].query, "fieldSelector"), "spec.nodeName=node-a");
  EXPECT_EQ(query_value(requests[0].query, "limit"), "500");
  EXPECT_EQ(requests[0].authorization, "Bearer token-1");
  EXPECT_TRUE(requests[1].watch);
  EXPECT_EQ(query_value(requests[1].query, "fieldSelector"), "spec.nodeName=node-a");
  EXPECT_EQ(query_value(requests[1].query, "allowWatchBookmarks"), "true");
  EXPECT_EQ(query_value(requests[1].query, "resourceVersion"), std::to_string(listed_at));
  EXPECT_EQ(query_value(requests[1].query, "timeoutSeconds"), "300");
  EXPECT_EQ(watcher.lists(), 1u);
}

TEST_F(PodWatchTest, ClosedStreamResumesFromTheLastBookmark) {
  auto& watcher = start();
  wait_watching();
  int bookmark = api_.bookmark();
  ASSERT_TRUE(wait_until([&] { return watcher.events() == 1; }));
  api_.close_watches();
  ASSERT_TRUE(wait_until([&] { return api_.count(true) == 2; }));
  EXPECT_EQ(query_value(api_.requests().back().query, "resourceVersion"), std::to_string(bookmark));
  EXPECT_EQ(watcher.lists(), 1u);  // no relist for a stream that ended
  wait_watching();
}

TEST_F(PodWatchTest, GoneAsAnErrorEventRelists) {
  auto& watcher = start();
  wait_watching();
  // etcd compacted past the watcher's version; the stream breaks and the rewatch is too old.
  api_.compact();
  add(api_, pod("during-gap"));
  ASSERT_TRUE(wait_until([&] { return watcher.lists() == 2; }));
  wait_watching();
  EXPECT_EQ(watcher.errors(WatchError::kGone), 1u);
  EXPECT_TRUE(directory_.pod("uid-during-gap"));

  // The same, sent in the open stream.
  api_.send_raw(
      R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)json"
      R"json("status":"Failure","message":"too old resource version: 5 (99)","reason":"Expired",)json"
      R"json("code":410}})json");
  ASSERT_TRUE(wait_until([&] { return watcher.lists() == 3; }));
  EXPECT_EQ(watcher.errors(WatchError::kGone), 2u);
}

TEST_F(PodWatchTest, GoneAsAStatusRelists) {
  auto& watcher = start();
  wait_watching();
  api_.fail_next(410, 1);
  api_.close_watches();
  ASSERT_TRUE(wait_until([&] { return watcher.lists() == 2; }));
  EXPECT_EQ(watcher.errors(WatchError::kGone), 1u);
  wait_watching();
}

TEST_F(PodWatchTest, UnauthorizedReadsTheRotatedToken) {
  auto& watcher = start();
  wait_watching();
  api_.require_token("token-2");  // the API server now wants the rotated token; the stream ends
  ASSERT_TRUE(wait_until([&] { return watcher.errors(WatchError::kUnauthorized) >= 1; }));
  EXPECT_FALSE(watcher.synced());
  dir_.write("token", "token-2\n");  // the kubelet rotates the projected token
  ASSERT_TRUE(wait_until([&] { return api_.open_watches() == 1; }));
  auto last = api_.requests().back();
  EXPECT_EQ(last.authorization, "Bearer token-2");
  EXPECT_EQ(last.status, 200);
  EXPECT_TRUE(wait_until([&] { return watcher.synced(); }));  // the watch resumed, no relist
  EXPECT_EQ(watcher.lists(), 1u);
  add(api_, pod("after-rotation"));
  ASSERT_TRUE(wait_until([&] { return directory_.pod("uid-after-rotation").has_value(); }));
}

TEST_F(PodWatchTest, ServerErrorsBackOffExponentiallyWithJitter) {
  api_.fail_next(503, 4);
  auto& watcher = start();
  wait_watching();
  EXPECT_EQ(watcher.errors(WatchError::kServer), 4u);
  auto requests = api_.requests();
  ASSERT_GE(requests.size(), 5u);
  // Delays are 20, 40, 80, 160 ms, each jittered to between half and all of it.
  for (int i = 1; i <= 4; ++i) {
    auto gap = requests[i].at - requests[i - 1].at;
    auto floor = 20ms * (1 << (i - 1)) / 2;
    EXPECT_GE(gap, floor) << "retry " << i;
    EXPECT_LT(gap, 1s) << "retry " << i;
  }
  EXPECT_EQ(requests[4].status, 200);
  EXPECT_FALSE(requests[4].watch);
}

TEST_F(PodWatchTest, BackOffStopsAtItsMaximum) {
  api_.fail_next(500, 8);
  auto o = options();
  o.backoff_max = 40ms;
  auto& watcher = start(o);
  wait_watching();
  auto requests = api_.requests();
  for (std::size_t i = 1; i < 9; ++i) EXPECT_LT(requests[i].at - requests[i - 1].at, 200ms);
  EXPECT_EQ(watcher.errors(WatchError::kServer), 8u);
}

TEST_F(PodWatchTest, MalformedAndOversizedEventsAreSkipped) {
  auto& watcher = start();
  wait_watching();
  api_.send_raw("{\"type\":\"ADDED\",\"object\":{\"metadata\":");  // truncated
  api_.send_raw("\x01\x02garbage");
  api_.send_raw(R"({"type":"ADDED","object":{"metadata":{"name":"no-uid"}}})");
  // 8 MiB of one event: dropped without being held (the cap is 64 KiB here).
  api_.send_raw(R"({"type":"ADDED","object":{"metadata":{"uid":"huge","annotations":{"a":")" +
                std::string(8 << 20, 'x') + R"("}}}})");
  add(api_, pod("after"));
  ASSERT_TRUE(wait_until([&] { return directory_.pod("uid-after").has_value(); }));
  EXPECT_FALSE(directory_.pod("huge"));
  EXPECT_EQ(watcher.errors(WatchError::kMalformed), 3u);
  EXPECT_EQ(watcher.errors(WatchError::kOversized), 1u);
  EXPECT_EQ(api_.count(true), 1);  // the same stream went on
  EXPECT_EQ(watcher.lists(), 1u);
  EXPECT_TRUE(watcher.synced());
}

TEST_F(PodWatchTest, MalformedAndOversizedListsAreRetried) {
  api_.next_list_body(R"({"kind":"PodList","items":[{"metadata":)");
  auto& watcher = start();
  wait_watching();
  EXPECT_EQ(watcher.errors(WatchError::kMalformed), 1u);

  api_.next_list_body(R"({"kind":"PodList","items":[],"padding":")" + std::string(2 << 20, 'x') +
                      R"("})");
  api_.fail_next(410, 1);  // the watch is refused: relist, and that list is too large
  api_.close_watches();
  ASSERT_TRUE(wait_until([&] { return watcher.errors(WatchError::kOversized) == 1; }));
  ASSERT_TRUE(wait_until([&] { return watcher.lists() == 2; }));
  wait_watching();
}

TEST_F(PodWatchTest, UnreachableServerIsRetriedAndStopsAtOnce) {
  auto o = options();
  o.endpoint.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
  auto& watcher = start(o);
  ASSERT_TRUE(wait_until([&] { return watcher.errors(WatchError::kNetwork) >= 3; }));
  EXPECT_FALSE(watcher.synced());
  auto before = std::chrono::steady_clock::now();
  watcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms);
}

TEST_F(PodWatchTest, StopEndsAnOpenWatchAtOnce) {
  auto& watcher = start();
  wait_watching();
  auto before = std::chrono::steady_clock::now();
  watcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms);
}

TEST_F(PodWatchTest, MissingTokenFileIsAnErrorNotACrash) {
  auto o = options();
  o.endpoint.token_file = dir_.path() + "/absent";
  auto& watcher = start(o);
  ASSERT_TRUE(wait_until([&] { return watcher.errors(WatchError::kNetwork) >= 1; }));
  EXPECT_EQ(api_.requests().size(), 0u);  // nothing sent without the token
  dir_.write("absent", "token-1");
  wait_watching();
}

// HTTPS with a certificate made for this test, served by `openssl s_server -WWW` (it answers a
// GET with the file named by the path, query included): the list is verified with the CA file
// (--collector.kubernetes.ca-file), and refused without it.
class OpensslServer {
 public:
  OpensslServer(const std::string& dir, int port) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (::chdir(dir.c_str()) != 0) ::_exit(127);
      std::string accept = "127.0.0.1:" + std::to_string(port);
      ::execlp("openssl", "openssl", "s_server", "-quiet", "-WWW", "-accept", accept.c_str(),
               "-cert", "cert.pem", "-key", "key.pem", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~OpensslServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

TEST(PodWatchTls, VerifiesTheServerWithTheCaFile) {
  TempDir dir;
  std::string cmd = "cd " + dir.path() +
                    " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-days 1 -subj /CN=127.0.0.1 "
                    "-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl (Debian package openssl) is needed";
  dir.write("api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a&limit=500",
            R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[)" +
                pod_json(pod("secure")) + "]}");
  int port = 20000 + ::getpid() % 20000;
  OpensslServer server(dir.path(), port);

  PodDirectory directory;
  PodCache cache(directory, 300s);
  PodWatchOptions o;
  o.endpoint.base_url = "https://127.0.0.1:" + std::to_string(port);
  o.endpoint.ca_file = dir.path() + "/cert.pem";
  o.node_name = "node-a";
  o.backoff_initial = 20ms;
  o.backoff_max = 100ms;
  {
    PodWatcher watcher(o, cache);
    watcher.start();  // retried with back-off until s_server listens
    ASSERT_TRUE(wait_until([&] { return directory.pod("uid-secure").has_value(); }))
        << "errors: network " << watcher.errors(WatchError::kNetwork);
  }
  o.endpoint.ca_file = "";  // the system's CAs do not know this certificate
  PodWatcher untrusted(o, cache);
  untrusted.start();
  ASSERT_TRUE(wait_until([&] { return untrusted.errors(WatchError::kNetwork) >= 1; }));
  EXPECT_EQ(untrusted.lists(), 0u);
}

}  // namespace
}  // namespace nodeprobe

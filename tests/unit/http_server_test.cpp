// HttpServer in-process, where a scrape can be held open at will: --web.max-requests turns the
// scrape past the limit away with 503 while the rest of the server keeps answering.
#include "agent/http_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "tests/e2e/http_client.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
using e2e::http_get;
using e2e::HttpResponse;

// Holds every collect() until released, and says when one has started.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  bool open = false;

  void pass() {
    std::unique_lock lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait_for(lock, 20s, [&] { return open; });
  }
  bool wait_entered(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return entered >= n; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

class GatedCollector final : public Collector {
 public:
  explicit GatedCollector(Gate& gate) : gate_(gate) {}
  void collect(MetricSink& sink) override {
    gate_.pass();
    sink.gauge("gated_value", "Written once the gate opens.", 42);
  }

 private:
  Gate& gate_;
};

class HttpServerLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Agent::Enabled> enabled;
    enabled.push_back({"gated", std::make_unique<GatedCollector>(gate_)});
    AgentOptions options;
    options.collector_timeout = 30s;  // longer than the test: the gate alone ends the scrape
    agent_ = std::make_unique<Agent>(std::move(enabled), std::vector<std::string_view>{"gated"},
                                     options);
    ServerOptions server_options;
    server_options.listen_addresses = {"127.0.0.1:0"};
    server_options.max_requests = 1;
    server_ = std::make_unique<HttpServer>(*agent_, server_options);
    server_->start();
    auto bound = server_->bound_addresses();
    ASSERT_EQ(bound.size(), 1u);
    EXPECT_TRUE(bound[0].starts_with("127.0.0.1:")) << bound[0];
    port_ = std::stoi(bound[0].substr(bound[0].rfind(':') + 1));
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    gate_.release();  // never leave a worker blocked behind a failed assertion
    server_.reset();
    agent_.reset();
  }

  Gate gate_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(HttpServerLimit, ScrapePastTheLimitGets503AndOthersStillAnswer) {
  auto held =
      std::async(std::launch::async, [&] { return http_get("127.0.0.1", port_, "/metrics"); });
  ASSERT_TRUE(gate_.wait_entered(1)) << "the first scrape never reached the collector";

  HttpResponse refused = http_get("127.0.0.1", port_, "/metrics");
  EXPECT_EQ(refused.status, 503) << refused.error;
  EXPECT_NE(refused.body.find("--web.max-requests"), std::string::npos) << refused.body;
  // The limit is for scrapes only.
  EXPECT_EQ(http_get("127.0.0.1", port_, "/healthz").status, 200);
  EXPECT_EQ(http_get("127.0.0.1", port_, "/").status, 200);

  gate_.release();
  HttpResponse first = held.get();
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_NE(first.body.find("\ngated_value 42\n"), std::string::npos) << first.body;

  // The slot is free again, and the refusals were counted. The server's thread leaves the
  // scrape just after the client has the answer, so a scrape sent at once may still find the
  // slot taken: each such refusal is counted too.
  int refusals = 1;
  HttpResponse after = http_get("127.0.0.1", port_, "/metrics");
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       after.status == 503 && std::chrono::steady_clock::now() < deadline;) {
    ++refusals;
    std::this_thread::sleep_for(1ms);
    after = http_get("127.0.0.1", port_, "/metrics");
  }
  EXPECT_EQ(after.status, 200) << after.error;
  EXPECT_NE(after.body.find("nodeprobe_http_requests_total{code=\"503\",handler=\"/metrics\"} " +
                            std::to_string(refusals) + "\n"),
            std::string::npos)
      << after.body;
}

}  // namespace
}  // namespace nodeprobe

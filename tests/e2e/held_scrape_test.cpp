// Scrapes held open from outside the agent: a FIFO named *.prom in the textfile directory
// blocks the textfile collector in open() until the test opens the other end, and in read()
// until the test closes it. That makes --web.max-requests and the drain on SIGTERM observable
// on the real binary without timing guesses.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <future>

#include "tests/e2e/agent_process.h"

namespace nodeprobe::e2e {
namespace {

class FifoTextfile {
 public:
  FifoTextfile() {
    char tmpl[] = "/tmp/nodeprobe-fifo-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    if (::mkfifo(path().c_str(), 0600) != 0) dir_.clear();
  }
  ~FifoTextfile() {
    if (writer_ >= 0) ::close(writer_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  bool ok() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  std::string path() const { return dir_ + "/held.prom"; }

  // Waits until the collector has opened the FIFO, i.e. a collection is inside the textfile
  // collector. A non-blocking open for writing fails with ENXIO while nobody reads.
  bool wait_for_reader(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      writer_ = ::open(path().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (writer_ >= 0) return true;
      if (errno != ENXIO || std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
  }

  // Gives the reader `text` and end-of-file, which lets its collection finish.
  void finish(std::string_view text) {
    if (writer_ < 0) return;
    if (!text.empty()) {
      ssize_t n = ::write(writer_, text.data(), text.size());
      EXPECT_EQ(n, static_cast<ssize_t>(text.size()));
    }
    ::close(writer_);
    writer_ = -1;
  }

 private:
  std::string dir_;
  int writer_ = -1;
};

class HeldScrape : public ::testing::Test {
 protected:
  // Starts the agent with only the textfile collector, and lets the start-up collection (which
  // reads the FIFO too) finish, so that the next reader is a scrape.
  void start(std::vector<std::string> extra) {
    ASSERT_TRUE(fifo_.ok());
    std::vector<std::string> args{"--collector.disable-defaults", "--collector.textfile",
                                  "--collector.textfile.directory=" + fifo_.dir(),
                                  "--collector.timeout=30"};
    args.insert(args.end(), extra.begin(), extra.end());
    agent_ = std::make_unique<AgentProcess>(args);
    ASSERT_TRUE(agent_->ready()) << agent_->failure();
    ASSERT_TRUE(fifo_.wait_for_reader(10s)) << "the start-up collection never read the FIFO";
    fifo_.finish("");
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (agent_->get("/readyz").status != 200) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "never ready:\n" << agent_->log();
      std::this_thread::sleep_for(5ms);
    }
  }

  // A scrape that blocks in the textfile collector until finish().
  std::future<HttpResponse> held_scrape() {
    auto scrape = std::async(std::launch::async, [this] { return agent_->get("/metrics"); });
    EXPECT_TRUE(fifo_.wait_for_reader(10s)) << "the scrape never reached the collector";
    return scrape;
  }

  FifoTextfile fifo_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(HeldScrape, ScrapePastMaxRequestsGets503WhileOthersAnswer) {
  ASSERT_NO_FATAL_FAILURE(start({"--web.max-requests=1"}));
  auto held = held_scrape();

  auto refused = agent_->get("/metrics");
  EXPECT_EQ(refused.status, 503) << refused.error;
  EXPECT_NE(refused.body.find("--web.max-requests"), std::string::npos) << refused.body;
  EXPECT_EQ(agent_->get("/healthz").status, 200);

  fifo_.finish("held_value 7\n");
  auto first = held.get();
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_NE(first.body.find("\nheld_value 7\n"), std::string::npos) << first.body;
}

TEST_F(HeldScrape, SigtermLetsTheScrapeInFlightFinish) {
  ASSERT_NO_FATAL_FAILURE(start({}));
  auto held = held_scrape();

  agent_->send_signal(SIGTERM);
  // The agent logs the signal and then waits for the scrape; only then may it exit.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (agent_->log().find("msg=\"shutting down\"") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << agent_->log();
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(agent_->running());

  fifo_.finish("held_value 8\n");
  auto first = held.get();
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_NE(first.body.find("\nheld_value 8\n"), std::string::npos) << first.body;
  EXPECT_EQ(agent_->wait_exit(10s), 0) << agent_->log();
}

}  // namespace
}  // namespace nodeprobe::e2e

#include "agent/agent.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "agent/self_metrics.h"

namespace nodeprobe {
namespace {

class FamilyCollector final : public Collector {
 public:
  FamilyCollector(std::string family, double value) : family_(std::move(family)), value_(value) {}
  void collect(MetricSink& sink) override { sink.gauge(family_, "Help.", value_); }

 private:
  std::string family_;
  double value_;
};

class FailingCollector final : public Collector {
 public:
  void collect(MetricSink&) override { throw std::runtime_error("broken"); }
};

Agent make_agent(bool exporter_metrics = true) {
  std::vector<Agent::Enabled> enabled;
  enabled.push_back({"alpha", std::make_unique<FamilyCollector>("alpha_value", 1)});
  enabled.push_back({"beta", std::make_unique<FailingCollector>()});
  // Emits a name alpha already owns: the later collector loses, as textfile does.
  enabled.push_back({"gamma", std::make_unique<FamilyCollector>("alpha_value", 2)});
  AgentOptions options;
  options.collector_timeout = std::chrono::milliseconds(2000);
  options.exporter_metrics = exporter_metrics;
  return Agent(std::move(enabled), {"alpha", "beta", "gamma", "delta"}, options);
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Agent, ScrapeReportsEachCollectorAndKeepsTheFirstOwnerOfAName) {
  Agent agent = make_agent();
  EXPECT_FALSE(agent.ready());
  std::string body = agent.scrape_all();
  EXPECT_TRUE(agent.ready());
  EXPECT_TRUE(contains(body, "\nalpha_value 1\n"));
  EXPECT_FALSE(contains(body, "alpha_value 2"));
  EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"alpha\"} 1\n"));
  EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"beta\"} 0\n"));
  EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"gamma\"} 1\n"));
  EXPECT_TRUE(contains(body, "# TYPE node_scrape_collector_duration_seconds gauge\n"));
  EXPECT_TRUE(contains(body, "nodeprobe_build_info{"));
  EXPECT_TRUE(contains(body, "# TYPE process_resident_memory_bytes gauge\n"));
  EXPECT_TRUE(contains(body, "# TYPE process_cpu_seconds_total counter\n"));
  // Families come out sorted by name.
  EXPECT_LT(body.find("# HELP alpha_value"), body.find("# HELP node_scrape_collector"));
  EXPECT_LT(body.find("# HELP node_scrape_collector"), body.find("# HELP process_"));
}

TEST(Agent, ExporterMetricsCanBeTurnedOff) {
  Agent agent = make_agent(false);
  std::string body = agent.scrape_all();
  EXPECT_FALSE(contains(body, "process_"));
  EXPECT_FALSE(contains(body, "nodeprobe_http_"));
  EXPECT_TRUE(contains(body, "nodeprobe_build_info{")) << "build info stays, as in node_exporter";
}

TEST(Agent, SelectHonoursCollectAndExclude) {
  Agent agent = make_agent();
  std::vector<std::size_t> which;
  EXPECT_FALSE(agent.select({}, {}, which));
  EXPECT_EQ(which, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_FALSE(agent.select({"beta"}, {}, which));
  EXPECT_EQ(which, (std::vector<std::size_t>{1}));
  EXPECT_FALSE(agent.select({}, {"alpha"}, which));
  EXPECT_EQ(which, (std::vector<std::size_t>{1, 2}));
  auto disabled = agent.select({"delta"}, {}, which);
  ASSERT_TRUE(disabled);
  EXPECT_EQ(*disabled, "collector delta is disabled");
  auto unknown = agent.select({}, {"nope"}, which);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(*unknown, "unknown collector nope");
}

TEST(Agent, PartialScrapeDoesNotMakeReady) {
  Agent agent = make_agent();
  std::string body = agent.scrape({0});
  EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"alpha\"} 1\n"));
  EXPECT_FALSE(contains(body, "collector=\"beta\""));
  EXPECT_FALSE(agent.ready());
}

TEST(Agent, StatesListEveryCollector) {
  Agent agent = make_agent();
  agent.scrape_all();
  auto states = agent.states();
  ASSERT_EQ(states.size(), 4u);
  EXPECT_EQ(states[0].last, "ok");
  EXPECT_EQ(states[1].last, "failed");
  EXPECT_FALSE(states[3].enabled);
}

TEST(RequestCounters, CountsByHandlerAndCode) {
  RequestCounters counters;
  counters.record("/metrics", 200);
  counters.record("/metrics", 200);
  counters.record("/metrics", 503);
  MetricSink sink;
  counters.write(sink);
  auto families = sink.take();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "nodeprobe_http_requests_total");
  ASSERT_EQ(families[0].metric.size(), 2u);
  EXPECT_EQ(families[0].metric[0].counter.value, 2);
  EXPECT_EQ(families[0].metric[1].counter.value, 1);
}

// process_open_fds from the process's own metrics, as rendered.
double open_fds_metric() {
  MetricSink sink;
  write_process_metrics(sink);
  for (const auto& f : sink.families()) {
    if (f.name == "process_open_fds") return f.metric.at(0).gauge.value;
  }
  return -1;
}

// The open descriptors as a listing of /proc/self/fd counts them (less the listing's own).
int listed_fds() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n - 1;
}

TEST(ProcessMetrics, OpenFdsCountsEveryDescriptor) {
  double before = open_fds_metric();
  EXPECT_EQ(before, listed_fds());
  int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int b = ::dup(a);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_EQ(open_fds_metric(), before + 2);
  ::close(a);
  ::close(b);
  EXPECT_EQ(open_fds_metric(), before);
}

}  // namespace
}  // namespace nodeprobe

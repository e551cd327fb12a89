// The HTTP side of the real binary: content negotiation, collect[]/exclude[], the other
// endpoints, and what malformed, oversized, concurrent and stalled clients get.
#include <gtest/gtest.h>
#include <zlib.h>

#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "agent/registry.h"
#include "tests/e2e/agent_process.h"
#include "tests/e2e/exposition_reader.h"

namespace nodeprobe::e2e {
namespace {

constexpr const char* kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

// The families every scrape carries whatever collectors it selects.
bool is_self_family(std::string_view name) {
  return name == "node_scrape_collector_duration_seconds" ||
         name == "node_scrape_collector_success" || name == "nodeprobe_build_info" ||
         name.starts_with("process_") || name.starts_with("nodeprobe_http_");
}

// Lines that change between two scrapes of the fixture host: durations and the agent's own
// process and request metrics.
std::string stable_part(const std::string& body) {
  std::string out = drop_families(body, {"process_*", "nodeprobe_http_*"}, /*with_comments=*/true);
  return drop_families(out, {"node_scrape_collector_duration_seconds"}, false);
}

std::set<std::string> collector_families(const std::string& body) {
  std::set<std::string> out;
  for (const auto& [name, f] : read_exposition(body).families) {
    if (!is_self_family(name)) out.insert(name);
  }
  return out;
}

// The collectors a scrape ran, by their node_scrape_collector_success samples.
std::set<std::string> reported_collectors(const std::string& body) {
  std::set<std::string> out;
  auto e = read_exposition(body);
  if (const auto* f = e.find("node_scrape_collector_success")) {
    for (const auto& s : f->samples) out.insert(s.labels.at("collector"));
  }
  return out;
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "";
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<corrupt gzip stream>";
}

// The collectors the suite's agent runs; every other one is disabled, so that collect[] can
// be asked for a disabled collector.
const std::set<std::string> kEnabled = {"cpu", "filefd",   "loadavg", "meminfo",
                                        "os",  "pressure", "stat",    "vmstat"};

// One agent on the fixture host for the whole suite.
class Http : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<std::string> args{
        "--path.procfs=" + kFixtures + "/host/proc", "--path.sysfs=" + kFixtures + "/host/sys",
        "--path.rootfs=" + kFixtures + "/host/root", "--collector.disable-defaults"};
    for (const auto& name : kEnabled) args.push_back("--collector." + name);
    agent_ = new AgentProcess(args);
  }
  static void TearDownTestSuite() {
    delete agent_;
    agent_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(agent_->ready()) << agent_->failure(); }

  static AgentProcess& agent() { return *agent_; }
  static HttpResponse raw(std::string_view request) {
    return http_exchange(agent_->host(), agent_->port(), request);
  }

 private:
  static AgentProcess* agent_;
};

AgentProcess* Http::agent_ = nullptr;

TEST_F(Http, PlainScrapeHasTheTextFormatContentType) {
  auto r = agent().get("/metrics");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("Content-Type"), kTextFormat);
  EXPECT_FALSE(r.header("Content-Encoding"));
  EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size()));
  EXPECT_TRUE(r.body.ends_with("\n"));
  EXPECT_NE(r.body.find("\nnode_load1 "), std::string::npos);
}

TEST_F(Http, GzipWhenTheClientAcceptsIt) {
  auto plain = agent().get("/metrics");
  auto zipped = agent().get("/metrics", {"Accept-Encoding: gzip, deflate"});
  ASSERT_EQ(plain.status, 200) << plain.error;
  ASSERT_EQ(zipped.status, 200) << zipped.error;
  EXPECT_EQ(zipped.header("Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.header("Content-Type"), kTextFormat);
  EXPECT_EQ(zipped.header("Content-Length"), std::to_string(zipped.body.size()));
  EXPECT_LT(zipped.body.size(), plain.body.size());
  std::string unzipped = gunzip(zipped.body);
  EXPECT_EQ(stable_part(unzipped), stable_part(plain.body));
}

TEST_F(Http, CollectSelectsOneCollectorAndExcludeDropsIt) {
  auto all = agent().get("/metrics");
  // Prometheus sends the brackets percent-encoded; curl users type them plainly.
  auto only = agent().get("/metrics?collect%5B%5D=cpu");
  auto only_plain = agent().get("/metrics?collect[]=cpu");
  auto without = agent().get("/metrics?exclude[]=cpu");
  for (const auto* r : {&all, &only, &only_plain, &without}) {
    ASSERT_EQ(r->status, 200) << r->error << r->body;
  }
  EXPECT_EQ(reported_collectors(only.body), std::set<std::string>{"cpu"});
  EXPECT_EQ(reported_collectors(only_plain.body), std::set<std::string>{"cpu"});
  auto rest = reported_collectors(all.body);
  rest.erase("cpu");
  EXPECT_EQ(reported_collectors(without.body), rest);

  auto cpu = collector_families(only.body);
  EXPECT_EQ(collector_families(only_plain.body), cpu);
  EXPECT_TRUE(cpu.contains("node_cpu_seconds_total"));
  for (const auto& name : cpu) EXPECT_TRUE(name.starts_with("node_cpu_")) << name;
  // Together the two halves are the full scrape, and they do not overlap.
  auto others = collector_families(without.body);
  for (const auto& name : cpu) EXPECT_FALSE(others.contains(name)) << name;
  std::set<std::string> both = cpu;
  both.insert(others.begin(), others.end());
  EXPECT_EQ(both, collector_families(all.body));
  // The scrape's own families are there either way.
  for (const auto* r : {&only, &without}) {
    auto e = read_exposition(r->body);
    EXPECT_TRUE(e.find("node_scrape_collector_duration_seconds"));
    EXPECT_TRUE(e.find("nodeprobe_build_info"));
  }
}

TEST_F(Http, UnknownOrDisabledCollectorIsABadRequest) {
  auto unknown = agent().get("/metrics?collect[]=nosuchthing");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("nosuchthing"), std::string::npos) << unknown.body;
  auto disabled = agent().get("/metrics?collect[]=time");
  EXPECT_EQ(disabled.status, 400);
  EXPECT_NE(disabled.body.find("disabled"), std::string::npos) << disabled.body;
  auto mixed = agent().get("/metrics?collect[]=cpu&collect[]=nosuchthing");
  EXPECT_EQ(mixed.status, 400);
  auto excluded = agent().get("/metrics?exclude[]=nosuchthing");
  EXPECT_EQ(excluded.status, 400);
}

TEST_F(Http, LandingPageListsEveryCollectorWithItsState) {
  auto r = agent().get("/");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.header("Content-Type")->find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/metrics\""), std::string::npos);
  for (const auto& entry : collector_list()) {
    std::string name(entry.name);
    bool enabled = kEnabled.contains(name);
    std::regex row("<td>" + name + "</td><td[^>]*>" + (enabled ? "enabled" : "disabled") + "</td>");
    EXPECT_TRUE(std::regex_search(r.body, row)) << name << " missing or in the wrong state";
  }
}

TEST_F(Http, HealthAndReadiness) {
  auto health = agent().get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  // The first collection runs in the background at start-up; readiness follows it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  HttpResponse ready;
  while ((ready = agent().get("/readyz")).status != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(ready.status, 503) << ready.error;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST_F(Http, HeadAnswersWithHeadersOnly) {
  auto r = agent().request("HEAD", "/metrics");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("Content-Type"), kTextFormat);
  ASSERT_TRUE(r.header("Content-Length"));
  EXPECT_GT(std::stoul(*r.header("Content-Length")), 0u);
  EXPECT_EQ(r.body, "");  // read until the server closed
}

TEST_F(Http, WrongMethodAndUnknownPath) {
  EXPECT_EQ(agent().request("POST", "/metrics").status, 405);
  EXPECT_EQ(agent().request("POST", "/").status, 405);
  EXPECT_EQ(agent().request("DELETE", "/healthz").status, 405);
  EXPECT_EQ(agent().get("/nope").status, 404);
  EXPECT_EQ(agent().get("/metricsfoo").status, 404);
  EXPECT_EQ(agent().get("/metrics/").status, 404);
}

TEST_F(Http, MalformedRequestLineIsRejectedAndTheAgentGoesOn) {
  for (std::string_view request :
       {std::string_view("GARBAGE\r\n\r\n"), std::string_view("GET\r\n\r\n"),
        std::string_view("\x01\x02\x03 / HTTP/1.1\r\n\r\n")}) {
    auto r = raw(request);
    EXPECT_GE(r.status, 400) << request << ": " << r.error;
    EXPECT_LT(r.status, 500) << request;
  }
  // Well-formed but for a version the server does not speak.
  EXPECT_EQ(raw("GET /metrics HTTP/9.9\r\n\r\n").status, 505);
  EXPECT_EQ(agent().get("/metrics").status, 200);
  EXPECT_TRUE(agent().running());
}

TEST_F(Http, OversizedHeaderIsRejectedAndTheAgentGoesOn) {
  std::string request =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(64 * 1024, 'a') +
      "\r\nConnection: close\r\n\r\n";
  auto r = raw(request);
  EXPECT_GE(r.status, 400) << r.error;
  EXPECT_LT(r.status, 500);
  EXPECT_EQ(agent().get("/metrics").status, 200);
  EXPECT_TRUE(agent().running());
}

TEST_F(Http, ConcurrentScrapesAllGetCompleteBodies) {
  auto reference = agent().get("/metrics");
  ASSERT_EQ(reference.status, 200);
  auto families = collector_families(reference.body);
  constexpr int kClients = 20;
  std::vector<HttpResponse> responses(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] { responses[i] = agent().get("/metrics"); });
  }
  for (auto& c : clients) c.join();
  for (const auto& r : responses) {
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size()));
    EXPECT_TRUE(r.body.ends_with("\n"));
    auto e = read_exposition(r.body);
    EXPECT_TRUE(e.unreadable_lines.empty());
    EXPECT_EQ(collector_families(r.body), families);
  }
}

TEST_F(Http, StalledClientsDoNotHoldBackScrapes) {
  // Half a request, and a connection that never says anything: each holds one server thread
  // until civetweb's request timeout, and nothing else.
  std::vector<std::unique_ptr<HttpConnection>> stalled;
  for (int i = 0; i < 4; ++i) {
    stalled.push_back(std::make_unique<HttpConnection>(agent().host(), agent().port()));
    ASSERT_TRUE(stalled.back()->ok()) << stalled.back()->error();
    if (i % 2 == 0) stalled.back()->send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nAcc", 1s);
  }
  for (int i = 0; i < 3; ++i) {
    auto r = agent().get("/metrics");
    EXPECT_EQ(r.status, 200) << r.error;
  }
  EXPECT_EQ(agent().get("/healthz").status, 200);
}

}  // namespace
}  // namespace nodeprobe::e2e

// The kubernetes collector as the agent runs it: quiet without Kubernetes, its flags checked at
// start-up, and against the fake API server the Job runs of this node, including a pod that
// lived two seconds between two scrapes, with the pod directory the workloads collector reads.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <optional>
#include <thread>

#include "agent/pod_directory.h"
#include "tests/unit/collector_harness.h"
#include "tests/unit/fake_kube_api.h"
#include "tests/unit/kube_test_pods.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
using testing::CollectorHarness;
using testing::FakeKubeApi;
using testing::pod_json;
using testing::TempDir;
using testing::TestPod;

// Sets (or unsets, with nullopt) an environment variable for the test's lifetime.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Scrapes until `done` holds for the output; returns the last output.
std::string scrape_until(CollectorHarness& harness,
                         const std::function<bool(const std::string&)>& done) {
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text = harness.collect();
    if (done(text)) return text;
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "condition never held; last output:\n" << text;
  return text;
}

bool contains(const std::string& text, std::string_view line) {
  return text.find(line) != std::string::npos;
}

class KubernetesCollectorTest : public ::testing::Test {
 protected:
  // One fake API server for the suite, reset between tests: stopping civetweb costs seconds.
  static void SetUpTestSuite() { shared_api_ = new FakeKubeApi(); }
  static void TearDownTestSuite() {
    delete shared_api_;
    shared_api_ = nullptr;
  }
  void SetUp() override { api_.reset(); }

  static inline FakeKubeApi* shared_api_ = nullptr;
  FakeKubeApi& api_ = *shared_api_;
  ScopedEnv no_service_host_{"KUBERNETES_SERVICE_HOST", std::nullopt};
  ScopedEnv no_node_name_{"NODE_NAME", std::nullopt};
  HostPaths paths_ = testing::fixture_paths("host");
};

TEST_F(KubernetesCollectorTest, QuietWithoutKubernetes) {
  CollectorHarness harness("kubernetes", paths_);
  EXPECT_EQ(harness.collect(), "");
  EXPECT_EQ(harness.collect(), "");
}

TEST_F(KubernetesCollectorTest, QuietInAPodWithoutNodeName) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "127.0.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "1");
  CollectorHarness harness("kubernetes", paths_);
  EXPECT_EQ(harness.collect(), "");
}

TEST_F(KubernetesCollectorTest, FlagsAreCheckedAtStartUp) {
  auto config_error = [&](std::vector<std::string> args) -> std::string {
    try {
      CollectorHarness harness("kubernetes", paths_, std::move(args));
    } catch (const ConfigError& e) {
      return e.flag();
    }
    return "no error";
  };
  EXPECT_EQ(config_error({"--collector.kubernetes.api-url=http://127.0.0.1:1"}),
            "--collector.kubernetes.node-name");
  EXPECT_EQ(config_error(
                {"--collector.kubernetes.api-url=ftp://x", "--collector.kubernetes.node-name=n"}),
            "--collector.kubernetes.api-url");
  EXPECT_EQ(config_error({"--collector.kubernetes.pod-labels=app("}),
            "--collector.kubernetes.pod-labels");
  EXPECT_EQ(config_error({"--collector.kubernetes.retention=-1m"}),
            "--collector.kubernetes.retention");
  EXPECT_EQ(config_error({"--collector.kubernetes.retention=300"}),
            "--collector.kubernetes.retention")
      << "a number without a unit is not a duration";
}

TEST_F(KubernetesCollectorTest, UnreachableApiIsReportedNotFatal) {
  ScopedEnv node("NODE_NAME", "node-a");
  CollectorHarness harness("kubernetes", paths_,
                           {"--collector.kubernetes.api-url=http://127.0.0.1:1"});
  auto text = scrape_until(harness, [](const std::string& t) {
    return contains(t, "\nnodeprobe_kubernetes_watch_errors_total{reason=\"network\"} 1\n");
  });
  EXPECT_TRUE(contains(text, "\nnodeprobe_kubernetes_synced 0\n"));
  EXPECT_FALSE(contains(text, "node_kubernetes_pod_info"));
}

TEST_F(KubernetesCollectorTest, JobRunsBetweenTwoScrapes) {
  TempDir dir;
  dir.write("token", "secret");
  FakeKubeApi& api = api_;
  api.require_token("secret");
  auto make = [](std::string name, std::string job, std::string phase, std::string finished) {
    TestPod p;
    p.name = name;
    p.uid = "uid-" + name;
    p.job = job;
    p.phase = phase;
    p.finished = finished;
    p.container_id = "cid-" + name;
    return p;
  };
  TestPod web = make("web-0", "", "Running", "");
  web.namespace_name = "shop";
  TestPod report = make("report-1-abcde", "report-1", "Running", "");
  api.apply("ADDED", web.uid, pod_json(web));
  api.apply("ADDED", report.uid, pod_json(report));

  CollectorHarness harness(
      "kubernetes", paths_,
      {"--collector.kubernetes.api-url=" + api.url() + "/",
       "--collector.kubernetes.token-file=" + dir.path() + "/token",
       "--collector.kubernetes.node-name=node-a", "--collector.kubernetes.pod-labels=app|tier"});
  scrape_until(harness, [](const std::string& t) {
    return contains(t, "\nnodeprobe_kubernetes_synced 1\n");
  });
  // The workloads collector names the cgroups it finds through the same directory.
  auto web_container = pod_directory().container("cid-web-0");
  ASSERT_TRUE(web_container);
  EXPECT_EQ(web_container->namespace_name, "shop");
  EXPECT_EQ(web_container->pod, "web-0");
  EXPECT_EQ(web_container->container, "main");

  // Between two scrapes: a pod of report-2 lives two seconds, and report-1's pod is OOM-killed.
  TestPod brief = make("report-2-fghij", "report-2", "Pending", "");
  brief.start = "";
  api.apply("ADDED", brief.uid, pod_json(brief));
  brief.phase = "Running";
  brief.start = "2026-11-21T10:10:00Z";
  api.apply("MODIFIED", brief.uid, pod_json(brief));
  brief.phase = "Succeeded";
  brief.finished = "2026-11-21T10:10:02Z";
  api.apply("MODIFIED", brief.uid, pod_json(brief));
  api.apply("DELETED", brief.uid, pod_json(brief));
  report.phase = "Failed";
  report.finished = "2026-11-21T10:03:00Z";
  report.terminated_reason = "OOMKilled";
  api.apply("MODIFIED", report.uid, pod_json(report));

  auto text = scrape_until(harness, [](const std::string& t) {
    return contains(t, "\nnodeprobe_kubernetes_watch_events_total 5\n");
  });
  testing::expect_golden(text, "kubernetes/job_runs.golden");
  EXPECT_TRUE(harness.problems().empty());
  EXPECT_EQ(pod_directory().container("cid-report-2-fghij")->pod, "report-2-fghij");
}

TEST_F(KubernetesCollectorTest, PodLabelsBecomeValidLabelNames) {
  FakeKubeApi& api = api_;
  api.apply("ADDED", "u1",
            R"({"metadata":{"name":"p","namespace":"n","uid":"u1","labels":{)"
            R"("app.kubernetes.io/name":"shop","app_kubernetes_io_name":"clash","tier":"web",)"
            R"("secret-ish":"no"}},"spec":{"nodeName":"node-a"},"status":{"phase":"Running"}})");
  CollectorHarness harness(
      "kubernetes", paths_,
      {"--collector.kubernetes.api-url=" + api.url(), "--collector.kubernetes.node-name=node-a",
       "--collector.kubernetes.pod-labels=app.*|tier"});
  auto text = scrape_until(
      harness, [](const std::string& t) { return contains(t, "\nnode_kubernetes_pod_info{"); });
  // Label names in name order: "app.kubernetes.io/name" sorts before "app_kubernetes_io_name".
  EXPECT_TRUE(contains(text,
                       "node_kubernetes_pod_info{label_app_kubernetes_io_name=\"shop\","
                       "label_tier=\"web\",namespace=\"n\",pod=\"p\",uid=\"u1\"} 1\n"))
      << text;
  EXPECT_TRUE(harness.problems().empty());
}

}  // namespace
}  // namespace nodeprobe

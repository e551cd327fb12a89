// The workloads collector on the fixture trees of tests/fixtures/workloads: cgroup v2 with the
// systemd driver (containerd and CRI-O), hybrid v1 with the cgroupfs driver (Docker and
// containerd), v1 with the systemd driver and cpu and cpuacct mounted apart (Docker).
#include "collectors/workloads.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "agent/cgroup_ebpf_counts.h"
#include "agent/pod_directory.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

std::string repeat(const char* pair) {
  std::string s;
  for (int i = 0; i < 32; ++i) s += pair;
  return s;
}

// The process-wide pod directory and eBPF counts are emptied around every test.
class WorkloadsTest : public ::testing::Test {
 protected:
  void SetUp() override { reset(); }
  void TearDown() override { reset(); }
  static void reset() {
    pod_directory().replace_all({});
    cgroup_ebpf_counts().publish(nullptr);
  }
};

TEST_F(WorkloadsTest, V2SystemdDriverMatchesGolden) {
  expect_golden(collect_text("workloads", fixture_paths("workloads/v2_systemd")),
                "workloads/v2_systemd.golden");
}

TEST_F(WorkloadsTest, HybridCgroupfsDriverMatchesGolden) {
  expect_golden(collect_text("workloads", fixture_paths("workloads/v1_cgroupfs")),
                "workloads/v1_cgroupfs.golden");
}

TEST_F(WorkloadsTest, V1SystemdDriverDockerMatchesGolden) {
  expect_golden(collect_text("workloads", fixture_paths("workloads/v1_systemd_docker")),
                "workloads/v1_systemd_docker.golden");
}

TEST_F(WorkloadsTest, NamesComeFromThePodDirectory) {
  pod_directory().replace_all(
      {PodRecord{.uid = "3f1c2a9e-6b1d-4c8e-9a57-2d7e0f4b8c11",
                 .namespace_name = "shop",
                 .name = "checkout-7d9f",
                 .job_name = "",
                 .labels = {},
                 .containers = {{"app", repeat("b2")}, {"envoy", repeat("c3")}}}});
  auto text = collect_text("workloads", fixture_paths("workloads/v2_systemd"));
  EXPECT_NE(text.find("node_workload_cpu_usage_seconds_total{container=\"app\",container_id=\"" +
                      repeat("b2") +
                      "\",namespace=\"shop\",pod=\"checkout-7d9f\",pod_uid=\"3f1c2a9e-6b1d-4c8e-"
                      "9a57-2d7e0f4b8c11\"} 3.9\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("node_workload_cpu_usage_seconds_total{namespace=\"shop\",pod=\"checkout-"
                      "7d9f\",pod_uid=\"3f1c2a9e-6b1d-4c8e-9a57-2d7e0f4b8c11\"} 4.2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find(repeat("a1")), std::string::npos) << "the sandbox is not a container";
}

TEST_F(WorkloadsTest, SandboxToldByThePodDirectoryWithoutPause) {
  // The pod directory lists every container with its ID: any other is the sandbox, whatever
  // its process is called.
  TempDir tree;
  std::string pod = "sys/fs/cgroup/kubepods/pod11111111-2222-3333-4444-555555555555/";
  tree.write("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
  tree.write(pod + repeat("0a") + "/cgroup.procs", "10\n");
  tree.write(pod + repeat("0a") + "/memory.current", "4096\n");
  tree.write(pod + repeat("0b") + "/cgroup.procs", "11\n");
  tree.write(pod + repeat("0b") + "/memory.current", "8192\n");
  tree.write("proc/10/comm", "my-sandbox\n");
  auto without = collect_text("workloads", fixture_paths(tree.path()));
  EXPECT_NE(without.find(repeat("0a")), std::string::npos);
  pod_directory().replace_all({PodRecord{.uid = "11111111-2222-3333-4444-555555555555",
                                         .namespace_name = "ns",
                                         .name = "p",
                                         .job_name = "",
                                         .labels = {},
                                         .containers = {{"main", repeat("0b")}}}});
  auto with = collect_text("workloads", fixture_paths(tree.path()));
  EXPECT_EQ(with.find(repeat("0a")), std::string::npos) << with;
  EXPECT_NE(with.find("container=\"main\""), std::string::npos) << with;
}

// A collector with a hand-driven clock, configured as the agent would.
struct ClockedWorkloads {
  std::chrono::steady_clock::time_point now{};
  std::unique_ptr<Collector> collector;
  ClockedWorkloads(const HostPaths& paths, std::vector<std::string> args) {
    collector = make_workloads_collector([this] { return now; });
    CLI::App app;
    OptionBinder binder(app, "workloads");
    collector->add_options(binder);
    std::vector<const char*> argv = {"nodeprobe"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    collector->configure(paths);
  }
  std::string collect() {
    MetricSink sink;
    collector->collect(sink);
    std::string text;
    for (const auto& family : render_families(sink.take(), nullptr)) text += family.text;
    return text;
  }
};

TEST_F(WorkloadsTest, AGoneWorkloadKeepsItsCountersForTheRetentionWindow) {
  TempDir tree;
  tree.copy_fixture("workloads/v2_systemd");
  ClockedWorkloads w(fixture_paths(tree.path()), {"--collector.workloads.retention=2m"});
  std::string sidecar = "cri-containerd-" + repeat("c3") + ".scope";
  auto first = w.collect();
  ASSERT_NE(
      first.find("node_workload_memory_usage_bytes{container=\"\",container_id=\"" + repeat("c3")),
      std::string::npos)
      << first;
  std::filesystem::remove_all(tree.path() +
                              "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/"
                              "kubepods-burstable-pod3f1c2a9e_6b1d_4c8e_9a57_2d7e0f4b8c11.slice/" +
                              sidecar);
  w.now += std::chrono::minutes(1);
  auto during = w.collect();
  std::string cpu =
      "node_workload_cpu_usage_seconds_total{container=\"\",container_id=\"" + repeat("c3") + "\"";
  EXPECT_NE(during.find(cpu), std::string::npos) << "counters stay within the window";
  EXPECT_EQ(
      during.find("node_workload_memory_usage_bytes{container=\"\",container_id=\"" + repeat("c3")),
      std::string::npos)
      << "gauges go at once";
  w.now += std::chrono::minutes(1) + std::chrono::seconds(1);
  auto after = w.collect();
  EXPECT_EQ(after.find(repeat("c3")), std::string::npos) << after;
  EXPECT_NE(after.find(repeat("b2")), std::string::npos) << "the others stay";
}

TEST_F(WorkloadsTest, ALimitOrOomKillWrittenBetweenScrapesIsSeen) {
  // memory.max and memory.events are kept between scrapes and read again on inotify's word
  // (collectors/watched_files.h): a write must reach the next scrape.
  TempDir tree;
  tree.copy_fixture("workloads/v2_systemd");
  ClockedWorkloads w(fixture_paths(tree.path()), {});
  std::string scope =
      "sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod3f1c2a9e_6b1d_4c8e_9a57_2d7e0f4b8c11.slice/cri-containerd-" +
      repeat("c3") + ".scope/";
  std::string labels =
      "{container=\"\",container_id=\"" + repeat("c3") +
      "\",namespace=\"\",pod=\"\",pod_uid=\"3f1c2a9e-6b1d-4c8e-9a57-2d7e0f4b8c11\"}";
  auto first = w.collect();
  EXPECT_NE(first.find("node_workload_memory_limit_bytes" + labels + " 1.34217728e+08\n"),
            std::string::npos);
  EXPECT_NE(first.find("node_workload_memory_oom_kills_total" + labels + " 0\n"),
            std::string::npos);

  tree.write(scope + "memory.max", "268435456\n");
  tree.write(scope + "memory.events",
             "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");
  auto second = w.collect();
  EXPECT_NE(second.find("node_workload_memory_limit_bytes" + labels + " 2.68435456e+08\n"),
            std::string::npos)
      << second;
  EXPECT_NE(second.find("node_workload_memory_oom_kills_total" + labels + " 1\n"),
            std::string::npos);

  // Limit lifted (an in-place resize to none): the family goes for the container.
  tree.write(scope + "memory.max", "max\n");
  auto third = w.collect();
  EXPECT_EQ(third.find("node_workload_memory_limit_bytes" + labels), std::string::npos);
}

TEST_F(WorkloadsTest, PressureFilesAreLeftUnreadWhenTurnedOff) {
  for (const char* tree : {"workloads/v2_systemd", "workloads/v1_cgroupfs"}) {
    auto paths = fixture_paths(tree);
    auto with = ClockedWorkloads(paths, {}).collect();
    auto without = ClockedWorkloads(paths, {"--no-collector.workloads.pressure"}).collect();
    EXPECT_NE(with.find("node_workload_pressure_cpu_waiting_seconds_total{"), std::string::npos)
        << tree;
    EXPECT_EQ(without.find("node_workload_pressure_"), std::string::npos) << tree;
    // Everything else stays.
    for (const char* family :
         {"node_workload_cpu_usage_seconds_total{", "node_workload_memory_working_set_bytes{",
          "node_workload_io_bytes_total{", "node_workload_threads{"}) {
      EXPECT_NE(without.find(family), std::string::npos) << tree << " " << family;
    }
  }
}

TEST_F(WorkloadsTest, EbpfCountsJoinByCgroupId) {
  TempDir tree;
  tree.copy_fixture("workloads/v2_systemd");
  std::string pod_dir = tree.path() +
                        "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/"
                        "kubepods-burstable-pod3f1c2a9e_6b1d_4c8e_9a57_2d7e0f4b8c11.slice";
  auto inode = [](const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return static_cast<std::uint64_t>(st.st_ino);
  };
  auto app = inode(pod_dir + "/cri-containerd-" + repeat("b2") + ".scope");
  auto sandbox = inode(pod_dir + "/cri-containerd-" + repeat("a1") + ".scope");
  auto ssh = inode(tree.path() + "/sys/fs/cgroup/system.slice/ssh.service");
  auto snapshot = std::make_shared<CgroupEbpfSnapshot>();
  snapshot->execs = snapshot->exits = snapshot->oom_kills = snapshot->retransmits = true;
  snapshot->by_task_cgroup[app] = {
      .execs = 7, .exits_success = 5, .exits_failure = 1, .exits_signal = 1, .oom_kills = 1};
  snapshot->by_task_cgroup[sandbox] = {.execs = 1};
  snapshot->by_task_cgroup[ssh] = {.execs = 40, .exits_success = 39};
  snapshot->retransmits_by_v2_cgroup[app] = 12;
  cgroup_ebpf_counts().publish(snapshot);

  auto text = collect_text("workloads", fixture_paths(tree.path()));
  std::string app_labels = "{container=\"\",container_id=\"" + repeat("b2") +
                           "\",namespace=\"\",pod=\"\",pod_uid=\"3f1c2a9e-6b1d-4c8e-9a57-"
                           "2d7e0f4b8c11\"";
  std::string pod_labels =
      "{namespace=\"\",pod=\"\",pod_uid=\"3f1c2a9e-6b1d-4c8e-9a57-"
      "2d7e0f4b8c11\"";
  for (const std::string& line : std::vector<std::string>{
           "node_workload_process_execs_total" + app_labels + "} 7\n",
           "node_workload_process_exits_total{container=\"\",container_id=\"" + repeat("b2") +
               "\",namespace=\"\",outcome=\"signal\",pod=\"\",pod_uid=\"3f1c2a9e-6b1d-4c8e-9a57-"
               "2d7e0f4b8c11\"} 1\n",
           "node_workload_oom_kills_total" + app_labels + "} 1\n",
           "node_workload_tcp_retransmits_total" + app_labels + "} 12\n",
           // The pod sums its own cgroup and all of its containers', the sandbox's too.
           "node_workload_process_execs_total" + pod_labels + "} 8\n",
           "node_workload_process_execs_total{name=\"ssh.service\"} 40\n",
           "node_workload_process_execs_total{name=\"containerd.service\"} 0\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
}

TEST_F(WorkloadsTest, NoEbpfFamiliesWithoutTheEbpfCollector) {
  auto text = collect_text("workloads", fixture_paths("workloads/v2_systemd"));
  EXPECT_EQ(text.find("node_workload_process_execs_total"), std::string::npos);
}

TEST_F(WorkloadsTest, AbsentWithoutCgroups) {
  TempDir tree;
  tree.write("sys/class/.keep", "");
  EXPECT_THROW(collect_text("workloads", fixture_paths(tree.path())), FeatureAbsent);
}

TEST_F(WorkloadsTest, BadRetentionIsAConfigError) {
  for (const char* value : {"soon", "-5m", "5"}) {
    std::string arg = std::string("--collector.workloads.retention=") + value;
    EXPECT_THROW(collect_text("workloads", fixture_paths("workloads/v2_systemd"), {arg}),
                 ConfigError)
        << value;
  }
}

}  // namespace
}  // namespace nodeprobe

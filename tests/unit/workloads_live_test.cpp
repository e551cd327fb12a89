// The workloads collector on this machine's real cgroups: a Kubernetes-shaped tree made beneath
// the test's own cgroup in each hierarchy (as /proc/self/cgroup shows it), a process moved into
// its container leaf that burns CPU and touches memory, and a scrape that must see both.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "agent/cgroup_ebpf_counts.h"
#include "agent/exposition.h"
#include "agent/metric_sink.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/cgroup_tree.h"
#include "collectors/ebpf.h"
#include "tests/unit/collector_harness.h"
#include "tests/unit/ebpf_test_support.h"

namespace nodeprobe {
namespace {

// A hierarchy's root and the test's own cgroup in it.
struct OwnCgroup {
  std::string root;
  std::string own;  // relative to root, "" for the root itself
};

std::vector<OwnCgroup> own_cgroups(const HostPaths& paths) {
  std::string self = read_file("/proc/self/cgroup");
  std::vector<OwnCgroup> out;
  for (const auto& h : cgroup_hierarchies(paths)) {
    std::string name = std::filesystem::canonical(h.root).filename().string();
    for_each_line(self, [&](std::string_view line) {
      auto parts = split(line, ':');
      if (parts.size() < 3) return;
      std::string_view controllers = parts[1];
      std::string_view path = line.substr(parts[0].size() + parts[1].size() + 2);
      bool unified = controllers.empty() && parts[0] == "0";
      bool match = (h.v2 || h.v2_pressure) ? unified : controllers == name;
      if (match) out.push_back({h.root, std::string(trim(path).substr(1))});
    });
  }
  return out;
}

std::string random_hex(std::size_t n) {
  std::random_device rd;
  std::string s;
  const char* digits = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) s.push_back(digits[rd() % 16]);
  return s;
}

bool write_text(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// The value of the first sample of `family` whose labels contain `needle`.
std::optional<double> sample(const std::string& text, const std::string& family,
                             const std::string& needle) {
  std::optional<double> out;
  for_each_line(text, [&](std::string_view line) {
    if (out || !line.starts_with(family + "{") || line.find(needle) == std::string_view::npos) {
      return;
    }
    out = parse_double(line.substr(line.rfind(' ') + 1));
  });
  return out;
}

class LiveCgroupTree {
 public:
  ~LiveCgroupTree() { remove(); }
  // Kills the child, then removes the directories, deepest first.
  void remove() {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
      child_ = -1;
    }
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) ::rmdir(it->c_str());
    made_.clear();
  }
  // Makes the directories of `relative` beneath dir; false (errno set) when one cannot be made.
  bool make(const std::string& dir, const std::string& relative) {
    std::string path = dir;
    for (auto part : split(relative, '/')) {
      path += "/" + std::string(part);
      if (::mkdir(path.c_str(), 0755) != 0) {
        if (errno != EEXIST) return false;
        continue;
      }
      made_.push_back(path);
    }
    return true;
  }
  pid_t child_ = -1;

 private:
  std::vector<std::string> made_;
};

// A Kubernetes-shaped tree (cgroupfs driver) beneath the test's own cgroup in every hierarchy,
// and a child process moved into its container leaf that runs `work` and then waits to be
// killed. Removed, child first, when it goes.
class LiveWorkload {
 public:
  // Empty when the tree could be made; else why not, and whether that is a reason to skip.
  std::string setup(const HostPaths& paths, bool& skip) {
    skip = false;
    if (::geteuid() != 0) {
      skip = true;
      return "needs root to create cgroups";
    }
    auto owns = own_cgroups(paths);
    if (owns.empty()) {
      skip = true;
      return "no cgroup hierarchy mounted under /sys/fs/cgroup";
    }
    uid = random_hex(8) + "-" + random_hex(4) + "-" + random_hex(4) + "-" + random_hex(4) + "-" +
          random_hex(12);
    id = random_hex(64);
    std::string leaf =
        "nodeprobe-live-" + std::to_string(::getpid()) + "/kubepods/burstable/pod" + uid + "/" + id;
    for (const auto& o : owns) {
      std::string base = o.own.empty() ? o.root : o.root + "/" + o.own;
      if (!tree_.make(base, leaf)) {
        int err = errno;
        skip = err == EACCES || err == EPERM || err == EROFS;
        return "cannot create cgroups beneath " + base + ": " + std::strerror(err);
      }
      leaves_.push_back(base + "/" + leaf);
    }
    return {};
  }

  // Starts the child, moves it into every leaf, lets it run `work` and waits until it has.
  template <typename Work>
  void run(Work work) {
    int go[2];
    int done[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(done), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(1);
      work();
      if (::write(done[1], "x", 1) != 1) ::_exit(3);
      ::pause();
      ::_exit(0);
    }
    tree_.child_ = child;
    for (const auto& l : leaves_) {
      ASSERT_TRUE(write_text(l + "/cgroup.procs", std::to_string(child)))
          << l << ": " << std::strerror(errno);
    }
    ASSERT_EQ(::write(go[1], "g", 1), 1);
    char c;
    ASSERT_EQ(::read(done[0], &c, 1), 1);
    for (int fd : {go[0], go[1], done[0], done[1]}) ::close(fd);
  }

  // The ids (directory inodes) of the container's cgroup in every hierarchy.
  std::vector<std::uint64_t> leaf_ids() const {
    std::vector<std::uint64_t> ids;
    for (const auto& l : leaves_) {
      struct stat st;
      if (::stat(l.c_str(), &st) == 0) ids.push_back(st.st_ino);
    }
    return ids;
  }
  void remove() { tree_.remove(); }
  // The container's cgroup directory in every hierarchy.
  const std::vector<std::string>& leaves() const { return leaves_; }

  std::string uid;
  std::string id;

 private:
  LiveCgroupTree tree_;
  std::vector<std::string> leaves_;
};

#define SETUP_LIVE_WORKLOAD(workload, paths)           \
  do {                                                 \
    bool skip = false;                                 \
    std::string why = (workload).setup((paths), skip); \
    if (skip) GTEST_SKIP() << why;                     \
    ASSERT_TRUE(why.empty()) << why;                   \
  } while (0)

TEST(WorkloadsLive, SeesCpuAndMemoryOfAProcessInARealCgroup) {
  HostPaths paths;  // the real /proc and /sys
  LiveWorkload w;
  SETUP_LIVE_WORKLOAD(w, paths);
  constexpr std::size_t kMemory = 64 << 20;
  w.run([] {
    // 400 ms of CPU time, however long the shared machine takes to give it.
    timespec used{};
    unsigned long spin = 0;
    do {
      for (int i = 0; i < 100000; ++i) spin = spin * 31 + 7;
      ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used);
    } while (used.tv_sec == 0 && used.tv_nsec < 400'000'000);
    if (spin == 42) ::_exit(4);  // keeps the loop from being optimised away
    auto* memory = static_cast<char*>(::malloc(kMemory));
    if (memory == nullptr) ::_exit(2);
    std::memset(memory, 1, kMemory);
    asm volatile("" : : "r"(memory) : "memory");  // the pages must really be touched
  });

  testing::CollectorHarness workloads("workloads", paths);
  std::string text = workloads.collect();
  std::string labels = "container_id=\"" + w.id + "\"";
  auto cpu = sample(text, "node_workload_cpu_usage_seconds_total", labels);
  ASSERT_TRUE(cpu) << "no CPU for the container; output:\n" << text.substr(0, 4000);
  EXPECT_GE(*cpu, 0.35);
  auto memory = sample(text, "node_workload_memory_usage_bytes", labels);
  ASSERT_TRUE(memory) << "no memory for the container";
  EXPECT_GE(*memory, kMemory * 0.9);
  auto working_set = sample(text, "node_workload_memory_working_set_bytes", labels);
  ASSERT_TRUE(working_set);
  EXPECT_GE(*working_set, kMemory * 0.9);
  EXPECT_EQ(sample(text, "node_workload_processes", labels), 1);
  // The pod's own cgroup counts its container's usage too.
  auto pod_cpu = sample(text, "node_workload_cpu_usage_seconds_total",
                        "{namespace=\"\",pod=\"\",pod_uid=\"" + w.uid + "\"}");
  ASSERT_TRUE(pod_cpu);
  EXPECT_GE(*pod_cpu, *cpu * 0.99);
}

TEST(WorkloadsLive, AMemoryLimitWrittenBetweenScrapesIsSeen) {
  // The limit file is kept between scrapes and read again when inotify reports a write
  // (collectors/watched_files.h); here on the kernel's own cgroupfs.
  HostPaths paths;
  LiveWorkload w;
  SETUP_LIVE_WORKLOAD(w, paths);
  std::string limit_file;
  for (const auto& leaf : w.leaves()) {
    for (const char* name : {"memory.limit_in_bytes", "memory.max"}) {
      if (::access((leaf + "/" + name).c_str(), W_OK) == 0) limit_file = leaf + "/" + name;
    }
  }
  if (limit_file.empty()) GTEST_SKIP() << "no memory controller in the test's own cgroups";
  w.run([] {});
  std::string labels = "container_id=\"" + w.id + "\"";
  testing::CollectorHarness workloads("workloads", paths);

  ASSERT_TRUE(write_text(limit_file, "268435456")) << std::strerror(errno);
  auto first = sample(workloads.collect(), "node_workload_memory_limit_bytes", labels);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 268435456);
  ASSERT_TRUE(write_text(limit_file, "536870912")) << std::strerror(errno);
  auto second = sample(workloads.collect(), "node_workload_memory_limit_bytes", labels);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 536870912);
  // Unchanged, it stays what was read.
  auto third = sample(workloads.collect(), "node_workload_memory_limit_bytes", labels);
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, 536870912);
}

TEST(WorkloadsLive, EbpfExecsAndExitsLandOnTheContainer) {
  // The eBPF probes key by the cgroup id the kernel sees (the v1 memory cgroup on this hybrid
  // host, the v2 cgroup elsewhere); the workloads collector must find the same id.
  NODEPROBE_SKIP_WITHOUT_BPF();
  HostPaths paths;
  LiveWorkload w;
  SETUP_LIVE_WORKLOAD(w, paths);
  testing::CollectorHarness ebpf("ebpf", paths);
  ebpf.collect();  // loads and attaches the probes
  constexpr int kRuns = 5;
  w.run([] {
    for (int i = 0; i < kRuns; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        ::execl("/bin/true", "true", nullptr);
        ::_exit(127);
      }
      ::waitpid(pid, nullptr, 0);
    }
  });
  ebpf.collect();  // publishes the per-cgroup counts
  testing::CollectorHarness workloads("workloads", paths);
  std::string text = workloads.collect();
  std::string labels = "container_id=\"" + w.id + "\"";
  auto execs = sample(text, "node_workload_process_execs_total", labels);
  ASSERT_TRUE(execs) << "no execs for the container; output:\n" << text.substr(0, 4000);
  EXPECT_EQ(*execs, kRuns);
  auto exits = sample(text, "node_workload_process_exits_total",
                      labels + ",namespace=\"\",outcome=\"success\"");
  ASSERT_TRUE(exits);
  EXPECT_EQ(*exits, kRuns);
  auto pod_execs = sample(text, "node_workload_process_execs_total",
                          "{namespace=\"\",pod=\"\",pod_uid=\"" + w.uid + "\"}");
  ASSERT_TRUE(pod_execs);
  EXPECT_EQ(*pod_execs, kRuns);
}

// The ebpf collector forgets the map entries of removed cgroups, and its node totals do not go
// back when it does.
TEST(WorkloadsLive, EbpfForgetsRemovedCgroups) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  HostPaths paths;
  LiveWorkload w;
  SETUP_LIVE_WORKLOAD(w, paths);
  auto ebpf = make_ebpf_collector({}, std::chrono::milliseconds(0));  // sweeps every scrape
  ebpf->configure(paths);
  // One scrape; returns node_process_execs_total.
  auto scrape = [&] {
    MetricSink sink;
    ebpf->collect(sink);
    std::optional<double> total;
    for (const auto& family : render_families(sink.take(), nullptr)) {
      for_each_line(family.text, [&](std::string_view line) {
        if (line.starts_with("node_process_execs_total ")) {
          total = parse_double(line.substr(line.rfind(' ') + 1));
        }
      });
    }
    return total.value_or(-1);
  };
  scrape();  // loads and attaches the probes
  w.run([] {
    for (int i = 0; i < 3; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        ::execl("/bin/true", "true", nullptr);
        ::_exit(127);
      }
      ::waitpid(pid, nullptr, 0);
    }
  });
  auto ids = w.leaf_ids();
  ASSERT_FALSE(ids.empty());
  auto counted_here = [&] {
    auto snapshot = cgroup_ebpf_counts().latest();
    if (!snapshot) return false;
    for (auto id : ids) {
      auto it = snapshot->by_task_cgroup.find(id);
      if (it != snapshot->by_task_cgroup.end() && it->second.execs == 3) return true;
    }
    return false;
  };
  double before = scrape();
  ASSERT_TRUE(counted_here()) << "the container's execs were not counted under its cgroup id";
  ASSERT_GE(before, 3);
  w.remove();
  double after = scrape();
  EXPECT_FALSE(counted_here()) << "the removed cgroup's entry is still published";
  EXPECT_GE(after, before) << "node_process_execs_total went back";
}

}  // namespace
}  // namespace nodeprobe

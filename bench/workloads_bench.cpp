// What one scrape of the workloads collector costs in CPU on a node with 200 pods and 1000
// containers (docs/performance.md): a fixture cgroup tree of that size is written to a
// temporary directory (tmpfs by default: cgroupfs is in memory too), then collect() and
// rendering run on the calling thread, timed on the process CPU clock.
//
// Usage: nodeprobe_workloads_bench [--iterations N] [--pods P] [--containers-per-pod C]
//                                  [--layout v2|v1] [--dir /dev/shm] [--named]
//                                  [--collector.workloads.<option> ...]
// --named fills the pod directory with every pod, as the kubernetes collector does in a cluster.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/exposition.h"
#include "agent/logging.h"
#include "agent/pod_directory.h"
#include "agent/registry.h"

namespace {

using namespace nodeprobe;

void write(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::trunc) << text;
}

std::string hex_id(unsigned n, unsigned width) {
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%0*x", static_cast<int>(width), n);
  return buffer;
}

std::string psi(unsigned long v) {
  return "some avg10=0.00 avg60=0.00 avg300=0.00 total=" + std::to_string(v) +
         "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=" + std::to_string(v / 4) + "\n";
}

// The files of one v2 cgroup, as a v6 kernel writes them (trimmed memory.stat keeps the
// lines a real one has up to inactive_file, so the parser scans as far).
void v2_cgroup(const std::filesystem::path& d, unsigned n, bool leaf, unsigned pid, bool limited) {
  write(d / "cpu.stat", "usage_usec " + std::to_string(1000000 + n) +
                            "\nuser_usec 700000\nsystem_usec 300000\nnr_periods " +
                            (limited ? "1200\nnr_throttled 37\nthrottled_usec 2150000\n"
                                     : "0\nnr_throttled 0\nthrottled_usec 0\n") +
                            "nr_bursts 0\nburst_usec 0\n");
  write(d / "memory.current", std::to_string(100000000 + n) + "\n");
  write(d / "memory.stat",
        "anon 52428800\nfile 41943040\nkernel 1048576\nkernel_stack 65536\npagetables 131072\n"
        "sec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\n"
        "file_mapped 4096\nfile_dirty 0\nfile_writeback 0\nswapcached 0\nanon_thp 0\n"
        "file_thp 0\nshmem_thp 0\ninactive_anon 0\nactive_anon 1048576\ninactive_file 20971520\n"
        "active_file 20971520\nunevictable 0\nslab_reclaimable 0\nslab_unreclaimable 0\n"
        "slab 0\nworkingset_refault_anon 0\npgfault 10023\npgmajfault 12\n");
  write(d / "memory.max", limited ? "536870912\n" : "max\n");
  write(d / "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
  write(d / "io.stat", "259:0 rbytes=1048576 wbytes=4096000 rios=256 wios=1000 dbytes=0 dios=0\n");
  write(d / "cpu.pressure", psi(n * 10));
  write(d / "memory.pressure", psi(n * 5));
  write(d / "io.pressure", psi(n * 3));
  if (leaf) {
    write(d / "cgroup.procs", std::to_string(pid) + "\n");
    write(d / "cgroup.threads", std::to_string(pid) + "\n" + std::to_string(pid + 1) + "\n");
  }
}

// The files of one cgroup in each v1 hierarchy of a hybrid host.
void v1_cgroup(const std::filesystem::path& root, const std::string& rel, unsigned n, bool leaf,
               unsigned pid, bool limited) {
  auto m = root / "memory" / rel;
  write(m / "memory.usage_in_bytes", std::to_string(100000000 + n) + "\n");
  write(m / "memory.limit_in_bytes", limited ? "536870912\n" : "9223372036854771712\n");
  std::string stat =
      "cache 41943040\nrss 52428800\nrss_huge 0\nshmem 0\nmapped_file 4096\ndirty 0\n"
      "writeback 0\npgpgin 1000\npgpgout 900\npgfault 10023\npgmajfault 12\ninactive_anon 0\n"
      "active_anon 1048576\ninactive_file 20971520\nactive_file 20971520\nunevictable 0\n"
      "hierarchical_memory_limit 536870912\ntotal_cache 41943040\ntotal_rss 52428800\n"
      "total_rss_huge 0\ntotal_shmem 0\ntotal_mapped_file 4096\ntotal_dirty 0\n"
      "total_writeback 0\ntotal_pgpgin 1000\ntotal_pgpgout 900\ntotal_pgfault 10023\n"
      "total_pgmajfault 12\ntotal_inactive_anon 0\ntotal_active_anon 1048576\n"
      "total_inactive_file 20971520\ntotal_active_file 20971520\ntotal_unevictable 0\n";
  write(m / "memory.stat", stat);
  write(m / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  if (leaf) {
    write(m / "cgroup.procs", std::to_string(pid) + "\n");
    write(m / "tasks", std::to_string(pid) + "\n" + std::to_string(pid + 1) + "\n");
  }
  auto c = root / "cpu,cpuacct" / rel;
  write(c / "cpuacct.usage", std::to_string(1000000000ULL + n) + "\n");
  write(c / "cpu.stat", limited ? "nr_periods 1200\nnr_throttled 37\nthrottled_time 2150000000\n"
                                : "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
  std::string blk =
      "8:0 Read 1048576\n8:0 Write 4096000\n8:0 Sync 4096000\n8:0 Async 1048576\n"
      "8:0 Discard 0\n8:0 Total 5144576\nTotal 5144576\n";
  write(root / "blkio" / rel / "blkio.throttle.io_service_bytes_recursive", blk);
  write(root / "blkio" / rel / "blkio.throttle.io_serviced_recursive", blk);
  auto u = root / "unified" / rel;
  write(u / "cpu.pressure", psi(n * 10));
  write(u / "memory.pressure", psi(n * 5));
  write(u / "io.pressure", psi(n * 3));
}

std::string pod_uid(unsigned p) { return hex_id(p, 8) + "-0000-4000-8000-" + hex_id(p, 12); }

// A node: <pods> pods in three QoS classes, each with a sandbox and <per_pod> containers, and
// 30 system services. Guaranteed and burstable pods have CPU and memory limits.
void build_tree(const std::filesystem::path& base, const std::string& layout, unsigned pods,
                unsigned per_pod) {
  auto root = base / "sys/fs/cgroup";
  unsigned n = 0;
  unsigned pid = 1000;
  const char* qos[] = {"burstable", "besteffort", ""};
  if (layout == "v2") {
    write(root / "cgroup.controllers", "cpuset cpu io memory pids\n");
  } else {
    write(root / "memory/memory.usage_in_bytes", "1\n");
    write(root / "cpu,cpuacct/cpuacct.usage", "1\n");
    write(root / "cpu,cpuacct/cpu.shares", "1024\n");
    write(root / "blkio/blkio.reset_stats", "");
    write(root / "unified/cgroup.controllers", "");
  }
  // Limits as QoS classes imply: besteffort pods and services have none.
  auto cgroup = [&](const std::string& rel, bool leaf, bool limited) {
    ++n;
    pid += 2;
    if (layout == "v2") {
      v2_cgroup(root / rel, n, leaf, pid, limited);
    } else {
      v1_cgroup(root, rel, n, leaf, pid, limited);
    }
  };
  for (unsigned p = 0; p < pods; ++p) {
    std::string q = qos[p % 3];
    std::string uid = pod_uid(p);
    std::string underscored = uid;
    std::replace(underscored.begin(), underscored.end(), '-', '_');
    std::string pod = "kubepods.slice/" + (q.empty() ? "" : "kubepods-" + q + ".slice/") +
                      "kubepods-" + (q.empty() ? "" : q + "-") + "pod" + underscored + ".slice";
    bool limited = q != "besteffort";
    cgroup(pod, false, limited);
    for (unsigned c = 0; c <= per_pod; ++c) {
      cgroup(pod + "/cri-containerd-" + hex_id(p * 1000 + c, 64) + ".scope", true, limited);
      write(base / "proc" / std::to_string(pid) / "comm", c == 0 ? "pause\n" : "app\n");
    }
  }
  for (unsigned s = 0; s < 30; ++s)
    cgroup("system.slice/unit" + std::to_string(s) + ".service", true, false);
}

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CPU cost of one workloads scrape on a fixture node"};
  int iterations = 50;
  unsigned pods = 200;
  unsigned per_pod = 5;
  std::string layout = "v2";
  std::string dir = "/dev/shm";
  bool named = false;
  app.add_option("--iterations", iterations);
  app.add_option("--pods", pods);
  app.add_option("--containers-per-pod", per_pod);
  app.add_option("--layout", layout)->check(CLI::IsMember({"v2", "v1"}));
  app.add_option("--dir", dir);
  app.add_flag("--named", named);
  app.allow_extras();  // the rest are the collector's own flags
  CLI11_PARSE(app, argc, argv);
  log::init("error", log::Format::kLogfmt);

  std::string tmpl = dir + "/nodeprobe-workloads-bench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::filesystem::path base = tmpl;
  build_tree(base, layout, pods, per_pod);
  if (named) {
    std::vector<PodRecord> records;
    for (unsigned p = 0; p < pods; ++p) {
      PodRecord r;
      r.uid = pod_uid(p);
      r.namespace_name = "bench";
      r.name = "pod-" + std::to_string(p);
      for (unsigned c = 1; c <= per_pod; ++c) {
        r.containers.push_back({"c" + std::to_string(c), hex_id(p * 1000 + c, 64)});
      }
      records.push_back(std::move(r));
    }
    pod_directory().replace_all(std::move(records));
  }

  std::unique_ptr<Collector> collector;
  for (const auto& entry : collector_list()) {
    if (entry.name == "workloads") collector = entry.create();
  }
  CLI::App flags;
  OptionBinder binder(flags, "workloads");
  collector->add_options(binder);
  std::vector<std::string> extra = app.remaining();
  std::vector<const char*> extra_argv = {argv[0]};
  for (const auto& e : extra) extra_argv.push_back(e.c_str());
  try {
    flags.parse(static_cast<int>(extra_argv.size()), extra_argv.data());
  } catch (const CLI::ParseError& e) {
    return flags.exit(e);
  }
  HostPaths paths;
  paths.procfs = (base / "proc").string();
  paths.sysfs = (base / "sys").string();
  collector->configure(paths);

  std::vector<double> costs;
  std::size_t bytes = 0;
  std::size_t series = 0;
  double collect_sum = 0;
  // One sink kept across scrapes and reset before each, as the agent's collector runner does.
  MetricSink sink;
  for (int i = 0; i < iterations + 3; ++i) {
    double t0 = cpu_seconds();
    sink.reset();
    collector->collect(sink);
    double t1 = cpu_seconds();
    auto rendered = sink.render(nullptr);
    double cost = cpu_seconds() - t0;
    if (i < 3) continue;  // warm-up: page cache, allocator
    costs.push_back(cost);
    collect_sum += t1 - t0;
    bytes = 0;
    series = 0;
    bytes = rendered.text.size();
    for (char ch : rendered.text) series += ch == '\n';
  }
  // The floor: open, read and close every file of the cgroup tree once, listed beforehand,
  // which is more files than a scrape reads (it skips sandboxes' and unused ones).
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(base / "sys")) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  double floor_sum = 0;
  for (int i = 0; i < 5; ++i) {
    double t0 = cpu_seconds();
    char buffer[16384];
    for (const auto& f : files) {
      int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
      ::close(fd);
    }
    floor_sum += cpu_seconds() - t0;
  }
  std::filesystem::remove_all(base);
  std::sort(costs.begin(), costs.end());
  double sum = 0;
  for (double c : costs) sum += c;
  std::printf(
      "workloads scrape, layout %s, %u pods x %u containers (+ sandboxes), %s: "
      "mean %.2f ms (collect %.2f, render %.2f), median %.2f ms, max %.2f ms CPU; %zu lines, "
      "%zu bytes\nfloor: reading all %zu files of the tree once costs %.2f ms CPU\n",
      layout.c_str(), pods, per_pod, named ? "named" : "unnamed",
      sum / static_cast<double>(costs.size()) * 1e3,
      collect_sum / static_cast<double>(costs.size()) * 1e3,
      (sum - collect_sum) / static_cast<double>(costs.size()) * 1e3, costs[costs.size() / 2] * 1e3,
      costs.back() * 1e3, series, bytes, files.size(), floor_sum / 5 * 1e3);
  return 0;
}

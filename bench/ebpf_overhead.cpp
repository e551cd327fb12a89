// What the eBPF probes cost the workloads they watch (issue 4; docs/performance.md, "eBPF probes
// (issue 4)"). Three loads, each run with and without every probe attached, in alternating
// order over several pairs: a pipe ping-pong between two processes on one CPU that does nothing
// but switch (the worst case for the scheduler probes), the same with a few microseconds of
// work per hop (a busy but real server), and a fork+exec+wait loop. Prints each pair and the median
// slowdown. Then one more run of each with the kernel's BPF statistics on gives each program's run
// count and mean cost per event (statistics add their own clock reads, so they stay off while
// timing the pairs).
//
// The machine this runs on may be busy with other work, so a run is measured by the CPU time its
// own processes used (user + system, the parent's and its reaped children's), which other
// tasks do not inflate; wall time is printed beside it.
//
// A fourth comparison attaches only a program that does nothing to sched_switch: the floor that
// the kernel's dispatch to any BPF program there sets.
//
// Usage (root): [RUNQLAT_METHOD=wakeups] nodeprobe_ebpf_overhead [PAIRS] [ROUND_TRIPS] [EXECS]
//               [WORK_US]   (defaults 7 200000 2000 5; RUNQLAT_METHOD=wakeups measures the
//               run-queue probe's wakeup programs where the kernel would use runqlat_switch_in)
#include <bpf/bpf.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/host_paths.h"
#include "agent/read_file.h"
#include "bpf/probes.h"

namespace {

using namespace nodeprobe;

double now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double cpu_seconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    for (const timeval& tv : {u.ru_utime, u.ru_stime}) {
      total += static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    }
  }
  return total;
}

struct Cost {
  double cpu = 0;
  double wall = 0;
};

// Runs a load and measures it.
Cost measure(const std::function<void()>& load) {
  double cpu = cpu_seconds();
  double wall = now_seconds();
  load();
  return {cpu_seconds() - cpu, now_seconds() - wall};
}

cpu_set_t all_cpus;  // the affinity the program started with

void pin_to_cpu0() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);
}

// Spins for about `iterations` steps of a loop the compiler cannot drop.
long work(long iterations) {
  volatile long sink = 0;
  for (long i = 0; i < iterations; ++i) sink = sink + 1;
  return sink;
}

// Loop steps per microsecond of CPU time on this machine.
long calibrate_work() {
  long steps = 1 << 20;
  for (;;) {
    double start = cpu_seconds();
    (void)work(steps);
    double took = cpu_seconds() - start;
    if (took > 0.05) return static_cast<long>(static_cast<double>(steps) / (took * 1e6));
    steps *= 2;
  }
}

// Two processes on CPU 0 pass a byte back and forth, each doing `work_steps` of work before
// answering: each round trip is two wakeups and two context switches.
void pipe_ping_pong(long round_trips, long work_steps) {
  int there[2], back[2];
  if (pipe(there) != 0 || pipe(back) != 0) std::abort();
  pid_t child = fork();
  if (child == 0) {
    pin_to_cpu0();
    char b;
    for (long i = 0; i < round_trips; ++i) {
      if (read(there[0], &b, 1) != 1) _exit(1);
      (void)work(work_steps);
      if (write(back[1], &b, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  pin_to_cpu0();
  char b = 'x';
  for (long i = 0; i < round_trips; ++i) {
    if (write(there[1], &b, 1) != 1 || read(back[0], &b, 1) != 1) std::abort();
    (void)work(work_steps);
  }
  waitpid(child, nullptr, 0);
  for (int fd : {there[0], there[1], back[0], back[1]}) close(fd);
}

// fork, exec /bin/true, wait: a process lifecycle per iteration (execs, exits, lifetimes) and
// the scheduler events around it.
void fork_exec_loop(long execs) {
  sched_setaffinity(0, sizeof all_cpus, &all_cpus);
  for (long i = 0; i < execs; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/true", "true", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
  }
}

struct Probes {
  std::vector<std::unique_ptr<ebpf::BpfProbe>> all;
};

std::unique_ptr<Probes> attach_all() {
  ebpf::LoadOptions options;
  HostPaths paths;
  options.btf_path = paths.sys("kernel/btf/vmlinux");
  options.kernel_btf = ebpf::parse_btf(options.btf_path);
  options.cgroup_v1_memory = ebpf::uses_cgroup_v1_memory(paths);
  options.block_devices = ebpf::count_block_devices(paths);
  if (const char* method = std::getenv("RUNQLAT_METHOD");
      method && std::string(method) == "wakeups") {
    options.runqueue_method = ebpf::LoadOptions::RunqueueMethod::wakeups;
  }
  auto probes = std::make_unique<Probes>();
  probes->all.push_back(std::make_unique<ebpf::ProcessProbe>(options));
  probes->all.push_back(std::make_unique<ebpf::RunqlatProbe>(options));
  probes->all.push_back(std::make_unique<ebpf::BiolatProbe>(options));
  probes->all.push_back(std::make_unique<ebpf::OomkillProbe>(options));
  probes->all.push_back(std::make_unique<ebpf::TcpretransProbe>(options));
  for (const auto& p : probes->all) {
    if (!p->all_attached()) {
      std::fprintf(stderr, "probe %s did not attach: %s\n", p->name().c_str(),
                   p->load_error().c_str());
      std::exit(1);
    }
  }
  return probes;
}

// The floor: a program that does nothing, attached to sched_switch the way the run-queue probe's
// tp_btf program is. What any BPF program there costs the scheduler (the tracepoint's dispatch).
struct EmptySwitchProgram {
  std::shared_ptr<const btf> kernel = ebpf::parse_btf(HostPaths{}.sys("kernel/btf/vmlinux"));
  std::unique_ptr<ebpf::NoopTpBtfProgram> program;
  EmptySwitchProgram() {
    if (kernel) program = std::make_unique<ebpf::NoopTpBtfProgram>(*kernel);
    if (!program || !program->attached()) {
      std::fprintf(stderr, "cannot attach an empty tp_btf program to sched_switch\n");
      std::exit(1);
    }
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// What `attach` returns keeps its programs attached while the load runs.
void compare(const char* name, int pairs, const std::function<void()>& load,
             const std::function<std::shared_ptr<void>()>& attach = attach_all) {
  std::printf("\n%s: CPU seconds without / with probes, slowdown (wall: same)\n", name);
  load();  // warm up caches and the page cache of /bin/true
  std::vector<double> cpu_slowdowns;
  std::vector<double> wall_slowdowns;
  for (int pair = 0; pair < pairs; ++pair) {
    Cost without;
    Cost with;
    // Alternate which goes first, so that a drift in the machine's speed cancels out.
    for (int half = 0; half < 2; ++half) {
      if ((pair + half) % 2 == 0) {
        without = measure(load);
      } else {
        auto attached = attach();
        with = measure(load);
      }
    }
    cpu_slowdowns.push_back(with.cpu / without.cpu - 1);
    wall_slowdowns.push_back(with.wall / without.wall - 1);
    std::printf("  pair %d: %.3f / %.3f  %+6.2f%%   (wall %.3f / %.3f  %+6.2f%%)\n", pair + 1,
                without.cpu, with.cpu, 100 * cpu_slowdowns.back(), without.wall, with.wall,
                100 * wall_slowdowns.back());
  }
  std::printf("  median slowdown: CPU %+.2f%%, wall %+.2f%%\n", 100 * median(cpu_slowdowns),
              100 * median(wall_slowdowns));
}

void per_event_cost(const char* name, const std::function<void()>& load) {
  int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (stats < 0) {
    std::printf("\n%s: BPF statistics unavailable (needs Linux >= 5.8)\n", name);
    return;
  }
  auto probes = attach_all();
  load();
  std::printf("\n%s, with BPF statistics on: program, runs, mean ns per run\n", name);
  for (const auto& probe : probes->all) {
    for (const auto& program : probe->programs()) {
      auto run = ebpf::program_run_stats(program.fd);
      if (!run || run->run_count == 0) continue;
      std::printf("  %-20s %10llu %8.0f\n", program.name.c_str(),
                  static_cast<unsigned long long>(run->run_count),
                  static_cast<double>(run->run_time_ns) / static_cast<double>(run->run_count));
    }
  }
  close(stats);
}

}  // namespace

int main(int argc, char** argv) {
  int pairs = argc > 1 ? std::atoi(argv[1]) : 7;
  long round_trips = argc > 2 ? std::atol(argv[2]) : 200000;
  long execs = argc > 3 ? std::atol(argv[3]) : 2000;
  long work_us = argc > 4 ? std::atol(argv[4]) : 5;
  if (geteuid() != 0) {
    std::fprintf(stderr, "nodeprobe_ebpf_overhead: needs root to load BPF programs\n");
    return 1;
  }
  ebpf::route_libbpf_logs();  // quiet: libbpf's chatter goes to the (unset) debug log

  utsname u{};
  uname(&u);
  std::string cpu = "unknown";
  std::string cpuinfo;
  int err = 0;
  if (try_read_file("/proc/cpuinfo", cpuinfo, err)) {
    auto at = cpuinfo.find("model name");
    if (at != std::string::npos) {
      auto colon = cpuinfo.find(':', at);
      cpu = cpuinfo.substr(colon + 2, cpuinfo.find('\n', colon) - colon - 2);
    }
  }
  std::printf("kernel %s %s, %ld CPUs (%s)\n", u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
              cpu.c_str());
  std::printf("%d pairs, %ld pipe round trips, %ld fork+exec per run\n", pairs, round_trips, execs);
  sched_getaffinity(0, sizeof all_cpus, &all_cpus);
  pin_to_cpu0();
  long steps = calibrate_work() * work_us;

  auto ping_pong = [&] { pipe_ping_pong(round_trips, 0); };
  auto busy_ping_pong = [&] { pipe_ping_pong(round_trips / 4, steps); };
  auto fork_exec = [&] { fork_exec_loop(execs); };
  compare("pipe ping-pong, switching only", pairs, ping_pong);
  compare("pipe ping-pong, switching only, an empty program on sched_switch instead (the floor)",
          pairs, ping_pong, [] { return std::make_shared<EmptySwitchProgram>(); });
  std::string busy = "pipe ping-pong, " + std::to_string(work_us) + " us of work per hop";
  compare(busy.c_str(), pairs, busy_ping_pong);
  compare("fork+exec+wait loop", pairs, fork_exec);
  per_event_cost("pipe ping-pong", ping_pong);
  per_event_cost("fork+exec+wait loop", fork_exec);
  return 0;
}

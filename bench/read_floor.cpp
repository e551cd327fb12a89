// The floor under any host-collector scrape: the CPU cost of merely reading the kernel files
// that the cpu, filefd, loadavg, meminfo, os, pressure, stat, time, uname and vmstat collectors
// read, with nothing parsed and nothing rendered. bench/run.sh prints it next to the cost of a
// real scrape so the gap between the two is the part an exporter can do anything about.
//
// Usage: nodeprobe_read_floor [--seconds S]   (time budget per measurement, default 1)
// Prints a table on stdout and one machine-readable line starting with "floor ".
#include <fcntl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// The files of the benchmark's collector set (bench/run.sh), in collector order.
const char* const kFiles[] = {
    "/proc/stat",
    "/proc/meminfo",
    "/proc/loadavg",
    "/proc/vmstat",
    "/proc/pressure/cpu",
    "/proc/pressure/io",
    "/proc/pressure/memory",
    "/proc/sys/fs/file-nr",
    "/etc/os-release",
    "/sys/devices/system/clocksource/clocksource0/available_clocksource",
    "/sys/devices/system/clocksource/clocksource0/current_clocksource",
};

char g_buffer[1 << 16];

// One open/read-to-EOF/close, as an exporter does it; returns the bytes read.
long read_once(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long total = 0;
  while (true) {
    ssize_t n = ::read(fd, g_buffer, sizeof g_buffer);
    if (n <= 0) break;
    total += n;
  }
  ::close(fd);
  return total;
}

std::int64_t now_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Cost {
  double cpu_ns_per_iteration;
  double wall_ns_per_iteration;
  long iterations;
};

// Repeats `body` for about `seconds` of CPU time and returns the cost of one repetition.
template <typename Body>
Cost measure(double seconds, Body body) {
  for (int i = 0; i < 50; ++i) body();  // warm the dentry and page caches
  long iterations = 0;
  auto budget = static_cast<std::int64_t>(seconds * 1e9);
  auto cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  auto wall0 = now_ns(CLOCK_MONOTONIC);
  std::int64_t cpu = 0;
  do {
    for (int i = 0; i < 100; ++i) body();
    iterations += 100;
    cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  } while (cpu < budget);
  auto wall = now_ns(CLOCK_MONOTONIC) - wall0;
  return {static_cast<double>(cpu) / static_cast<double>(iterations),
          static_cast<double>(wall) / static_cast<double>(iterations), iterations};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
      return 2;
    }
  }
  if (seconds <= 0) seconds = 1;

  std::vector<const char*> present;
  std::printf("%-68s %8s %12s\n", "file (open + read to EOF + close)", "bytes", "CPU us/read");
  for (const char* f : kFiles) {
    long bytes = read_once(f);
    if (bytes < 0) {
      std::printf("%-68s %8s %12s\n", f, "-", "missing");
      continue;
    }
    present.push_back(f);
    auto c = measure(seconds / 4, [f] { read_once(f); });
    std::printf("%-68s %8ld %12.1f\n", f, bytes, c.cpu_ns_per_iteration / 1000);
  }
  utsname u{};
  auto uname_cost = measure(seconds / 4, [&u] { ::uname(&u); });
  std::printf("%-68s %8s %12.2f\n", "uname()", "", uname_cost.cpu_ns_per_iteration / 1000);

  auto all = measure(seconds, [&] {
    for (const char* f : present) read_once(f);
    ::uname(&u);
  });
  auto file_nr = measure(seconds, [] { read_once("/proc/sys/fs/file-nr"); });
  std::printf("%-68s %8s %12.1f\n", "all of the above, per iteration", "",
              all.cpu_ns_per_iteration / 1000);
  std::printf(
      "floor files=%zu all_cpu_ns=%.0f all_wall_ns=%.0f file_nr_cpu_ns=%.0f "
      "iterations=%ld\n",
      present.size(), all.cpu_ns_per_iteration, all.wall_ns_per_iteration,
      file_nr.cpu_ns_per_iteration, all.iterations);
  return 0;
}

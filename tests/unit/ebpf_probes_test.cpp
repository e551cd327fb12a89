// The probes loaded into this kernel for real: each test causes known events and checks that
// the kernel-side counts moved by at least that much (other activity on the host only adds).
// They need root and a kernel with BTF, as CI has; elsewhere they skip and say why.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "agent/parse.h"
#include "agent/read_file.h"
#include "bpf/probes.h"
#include "collector_harness.h"
#include "collectors/ebpf_block_devices.h"
#include "ebpf_test_support.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The cgroup directory this process is in, in the hierarchy the probes key counters by (the
// v1 memory controller's, or the unified one).
std::string own_cgroup_dir(bool v1_memory) {
  std::string found;
  for_each_line(read_file("/proc/self/cgroup"), [&](std::string_view line) {
    auto fields = split(line, ':');
    if (fields.size() < 3) return;
    bool match = false;
    if (v1_memory) {
      for (auto controller : split(fields[1], ',')) match = match || controller == "memory";
    } else {
      match = fields[0] == "0" && fields[1].empty();
    }
    if (match)
      found = std::string(v1_memory ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup") +
              std::string(fields[2]);
  });
  return found;
}

// The id the kernel gives a cgroup is the inode number of its directory (kernfs, 64-bit).
std::uint64_t cgroup_id(const std::string& dir) {
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 ? st.st_ino : 0;
}

pid_t spawn(const std::vector<const char*>& argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (auto* a : argv) args.push_back(const_cast<char*>(a));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

std::uint64_t count_from_slot(const log2_hist& h, int first) {
  std::uint64_t n = 0;
  for (int i = first; i < LOG2_HIST_SLOTS; ++i) n += h.slots[i];
  return n;
}

std::uint64_t count_of(const log2_hist& h) { return count_from_slot(h, 0); }

TEST(EbpfProcessProbe, CountsExecsExitsByOutcomeAndLifetimes) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  auto options = testing::host_load_options();
  ebpf::ProcessProbe probe(options);
  ASSERT_TRUE(probe.all_attached()) << testing::program_errors(probe);
  std::uint64_t own_id = cgroup_id(own_cgroup_dir(options.cgroup_v1_memory));
  ASSERT_NE(own_id, 0U);

  auto before = probe.totals();
  auto own_before = probe.counts_by_cgroup()[own_id];
  auto lifetime_before = probe.lifetime();

  std::vector<pid_t> succeed, fail, killed;
  for (int i = 0; i < 20; ++i) succeed.push_back(spawn({"/bin/sleep", "0.2"}));
  for (int i = 0; i < 10; ++i) fail.push_back(spawn({"/bin/sh", "-c", "exit 3"}));
  for (int i = 0; i < 5; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      for (;;) ::pause();
    }
    killed.push_back(pid);
  }
  for (pid_t pid : killed) ::kill(pid, SIGKILL);
  auto reap = [](pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  };
  for (pid_t pid : succeed) ASSERT_EQ(reap(pid), 0);
  for (pid_t pid : fail) {
    int status = reap(pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << status;
  }
  for (pid_t pid : killed) {
    int status = reap(pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  }

  auto after = probe.totals();
  EXPECT_GE(after.execs - before.execs, 30U);
  EXPECT_GE(after.exits_success - before.exits_success, 20U);
  EXPECT_GE(after.exits_failure - before.exits_failure, 10U);
  EXPECT_GE(after.exits_signal - before.exits_signal, 5U);

  // The children ran in this process's cgroup, and are counted under its id.
  auto own_after = probe.counts_by_cgroup()[own_id];
  EXPECT_GE(own_after.execs - own_before.execs, 30U);
  EXPECT_GE(own_after.exits_success - own_before.exits_success, 20U);
  EXPECT_GE(own_after.exits_failure - own_before.exits_failure, 10U);
  EXPECT_GE(own_after.exits_signal - own_before.exits_signal, 5U);

  // Every child ended; the 20 sleepers lived at least 0.2 s, past the bound of slot 27
  // (2^27 ns = 0.134 s).
  auto lifetime = probe.lifetime();
  EXPECT_GE(count_of(lifetime) - count_of(lifetime_before), 35U);
  EXPECT_GE(count_from_slot(lifetime, 28) - count_from_slot(lifetime_before, 28), 20U);
  EXPECT_GE(lifetime.sum_ns - lifetime_before.sum_ns, 20U * 200'000'000U);
}

// A thread's run delay so far, as the scheduler accounts it (/proc/<pid>/task/<tid>/schedstat:
// "<on-CPU ns> <run delay ns> <timeslices>").
std::uint64_t run_delay_ns(pid_t tid) {
  auto text = read_file("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  auto fields = split_fields(text);
  return fields.size() >= 2 ? parse_uint(fields[1]).value_or(0) : 0;
}

// Every way of measuring (bpf/runqlat.bpf.c): automatic takes the scheduler's enqueue stamps
// where the kernel has them, as this one does (ChoosesTheSchedulersStampsWhereTheKernelHasThem),
// through tp_btf where the kernel has that, or else through a raw tracepoint.
struct RunqueueVariant {
  const char* name;
  ebpf::LoadOptions::RunqueueMethod method;
  bool use_tp_btf;
};

class EbpfRunqlatProbe : public ::testing::TestWithParam<RunqueueVariant> {};

INSTANTIATE_TEST_SUITE_P(
    Methods, EbpfRunqlatProbe,
    ::testing::Values(RunqueueVariant{"Automatic", ebpf::LoadOptions::RunqueueMethod::automatic,
                                      true},
                      RunqueueVariant{"AutomaticWithoutTpBtf",
                                      ebpf::LoadOptions::RunqueueMethod::automatic, false},
                      RunqueueVariant{"Wakeups", ebpf::LoadOptions::RunqueueMethod::wakeups, true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_P(EbpfRunqlatProbe, CountsWaitsOfContendedCpus) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  auto options = testing::host_load_options();
  options.runqueue_method = GetParam().method;
  options.use_tp_btf = GetParam().use_tp_btf;
  ebpf::RunqlatProbe probe(options);
  ASSERT_TRUE(probe.all_attached()) << testing::program_errors(probe);
  auto before = probe.latency();

  // More busy threads than CPUs for half a second: they never sleep, so every wait after
  // their first comes from being preempted while runnable (sched_switch's re-enqueue).
  unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  unsigned threads = 2 * cpus + 2;
  std::atomic<bool> stop{false};
  std::atomic<unsigned> started{0};
  std::vector<pid_t> tids(threads);
  std::vector<std::thread> spinners;
  for (unsigned i = 0; i < threads; ++i) {
    spinners.emplace_back([&, i] {
      tids[i] = ::gettid();
      started.fetch_add(1);
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  }
  while (started.load() < threads) std::this_thread::yield();
  std::vector<std::uint64_t> delay_before;
  for (pid_t tid : tids) delay_before.push_back(run_delay_ns(tid));
  std::this_thread::sleep_for(500ms);
  std::uint64_t spinners_waited = 0;
  for (unsigned i = 0; i < threads; ++i) spinners_waited += run_delay_ns(tids[i]) - delay_before[i];
  auto after = probe.latency();
  stop = true;
  for (auto& t : spinners) t.join();

  EXPECT_GE(count_of(after) - count_of(before), 4U * threads);
  // The probe sees every task of the machine, the spinners among them: at least most of the
  // wait the scheduler itself accounts to them (here every method sees ~101% of it: the other
  // tasks' waits come on top; a wait cut short by a move to another CPU's queue is counted from
  // the move, so not quite all of it).
  ASSERT_GT(spinners_waited, 0U);
  EXPECT_GE(after.sum_ns - before.sum_ns, spinners_waited * 4 / 5)
      << "probe " << after.sum_ns - before.sum_ns << " ns, scheduler " << spinners_waited << " ns";
}

TEST(EbpfRunqlatProbeMethod, ChoosesTheSchedulersStampsWhereTheKernelHasThem) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  auto options = testing::host_load_options();
  ASSERT_TRUE(options.kernel_btf) << "the privileged tests run on a kernel with BTF";
  const btf& kernel = *options.kernel_btf;
  if (!ebpf::btf_has_member(kernel, "sched_info", "last_queued") ||
      !ebpf::btf_has_member(kernel, "sched_entity", "cfs_rq")) {
    GTEST_SKIP() << "this kernel has no sched_info.last_queued or no CONFIG_FAIR_GROUP_SCHED: "
                    "the wakeup programs are its only way";
  }
  // The probe's programs, sorted by name.
  auto programs_of = [](const ebpf::RunqlatProbe& probe) {
    std::vector<std::string> names;
    for (const auto& program : probe.programs()) names.push_back(program.name);
    std::sort(names.begin(), names.end());
    return names;
  };
  ebpf::RunqlatProbe automatic(options);
  EXPECT_EQ(automatic.method(), ebpf::RunqlatProbe::Method::sched_info);
  EXPECT_EQ(programs_of(automatic),
            std::vector<std::string>{ebpf::kernel_has_tp_btf(kernel) ? "runqlat_switch_in_btf"
                                                                     : "runqlat_switch_in"});

  options.use_tp_btf = false;
  ebpf::RunqlatProbe raw(options);
  EXPECT_EQ(raw.method(), ebpf::RunqlatProbe::Method::sched_info);
  EXPECT_EQ(programs_of(raw), std::vector<std::string>{"runqlat_switch_in"});

  options.runqueue_method = ebpf::LoadOptions::RunqueueMethod::wakeups;
  ebpf::RunqlatProbe wakeups(options);
  EXPECT_EQ(wakeups.method(), ebpf::RunqlatProbe::Method::wakeups);
  EXPECT_EQ(programs_of(wakeups),
            (std::vector<std::string>{"runqlat_switch", "runqlat_wakeup", "runqlat_wakeup_new"}));
}

// The whole disk under a directory, as the block layer issues requests to it: the device of
// a partition's parent. nullopt (with the reason) where the directory is on no block device.
struct Disk {
  unsigned major = 0;
  unsigned minor = 0;
};
std::optional<Disk> disk_under(const std::string& dir, std::string& why) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || ::major(st.st_dev) == 0) {
    why = dir + " is on a filesystem without a block device (tmpfs, overlay, ...)";
    return std::nullopt;
  }
  std::string number =
      std::to_string(::major(st.st_dev)) + ":" + std::to_string(::minor(st.st_dev));
  std::error_code ec;
  auto sys = fs::canonical("/sys/dev/block/" + number, ec);
  if (ec) {
    why = dir + " is on device " + number + ", which has no /sys/dev/block entry";
    return std::nullopt;
  }
  if (fs::exists(sys / "slaves", ec) && !fs::is_empty(sys / "slaves", ec)) {
    why = dir + " is on a stacked device (" + number + ": dm, md), whose requests go elsewhere";
    return std::nullopt;
  }
  if (fs::exists(sys / "partition", ec)) sys = sys.parent_path();
  std::string dev = std::string(trim(read_file((sys / "dev").string())));
  auto parts = split(dev, ':');
  auto major = parse_uint(parts.empty() ? "" : parts[0]);
  auto minor = parse_uint(parts.size() < 2 ? "" : parts[1]);
  if (!major || !minor) {
    why = "cannot read " + (sys / "dev").string();
    return std::nullopt;
  }
  return Disk{static_cast<unsigned>(*major), static_cast<unsigned>(*minor)};
}

TEST(EbpfBiolatProbe, CountsDirectIoOnTheRightDisk) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  // The build tree is where CI has a real disk for sure; /tmp may be tmpfs.
  std::string why;
  std::optional<Disk> disk;
  std::string dir;
  for (std::string candidate : {fs::temp_directory_path().string(), fs::current_path().string()}) {
    disk = disk_under(candidate, why);
    if (disk) {
      dir = candidate;
      break;
    }
  }
  if (!disk) GTEST_SKIP() << "no directory on a plain block device for direct I/O: " << why;

  ebpf::BiolatProbe probe(testing::host_load_options());
  ASSERT_TRUE(probe.all_attached()) << testing::program_errors(probe);
  auto reads_of = [&](const std::vector<ebpf::BiolatProbe::Entry>& entries, std::uint32_t op) {
    std::uint64_t n = 0;
    for (const auto& e : entries) {
      if (e.key.major == disk->major && e.key.minor == disk->minor && e.key.op == op) {
        n += count_of(e.hist);
      }
    }
    return n;
  };

  std::string path = dir + "/nodeprobe-biolat-XXXXXX";
  int fd = ::mkstemp(path.data());
  ASSERT_GE(fd, 0);
  ::close(fd);
  fd = ::open(path.c_str(), O_RDWR | O_DIRECT);
  if (fd < 0) {
    ::unlink(path.c_str());
    GTEST_SKIP() << dir << " does not support O_DIRECT: " << std::strerror(errno);
  }
  constexpr int kBlocks = 32;
  constexpr std::size_t kBlock = 4096;
  void* buffer = nullptr;
  ASSERT_EQ(::posix_memalign(&buffer, kBlock, kBlock), 0);
  std::memset(buffer, 0x5a, kBlock);

  auto before = probe.latency();
  for (int i = 0; i < kBlocks; ++i) {
    ASSERT_EQ(::pwrite(fd, buffer, kBlock, static_cast<off_t>(i * kBlock)),
              static_cast<ssize_t>(kBlock));
  }
  ASSERT_EQ(::fdatasync(fd), 0);
  for (int i = 0; i < kBlocks; ++i) {
    ASSERT_EQ(::pread(fd, buffer, kBlock, static_cast<off_t>(i * kBlock)),
              static_cast<ssize_t>(kBlock));
  }
  auto after = probe.latency();
  ::close(fd);
  ::unlink(path.c_str());
  std::free(buffer);

  // Each direct read is its own request (no page cache, no readahead); writes may be merged
  // with the journal's, so only "some" is certain for them.
  EXPECT_GE(reads_of(after, BIOLAT_OP_READ) - reads_of(before, BIOLAT_OP_READ),
            static_cast<std::uint64_t>(kBlocks));
  EXPECT_GE(reads_of(after, BIOLAT_OP_WRITE) - reads_of(before, BIOLAT_OP_WRITE), 1U);

  // The collector names this disk as /proc/diskstats does.
  BlockDeviceNames names{HostPaths{}};
  names.refresh();
  auto diskstats = parse_diskstats_names(read_file("/proc/diskstats"));
  auto listed = diskstats.find({disk->major, disk->minor});
  ASSERT_NE(listed, diskstats.end());
  EXPECT_EQ(names.name(disk->major, disk->minor), listed->second);
}

// A memory cgroup beneath this process's own, removed when the test ends.
class MemoryCgroup {
 public:
  MemoryCgroup(bool v1, const std::string& parent) : v1_(v1) {
    std::string tmpl = parent + "/nodeprobe-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      error_ = "cannot make a cgroup under " + parent + ": " + std::strerror(errno);
      return;
    }
    dir_ = tmpl;
    if (!v1_ && !fs::exists(dir_ + "/memory.max")) {
      error_ = parent + " does not delegate the memory controller to its children";
    }
  }
  ~MemoryCgroup() {
    if (dir_.empty()) return;
    // The killed child leaves the cgroup a moment after it is reaped.
    for (int i = 0; i < 100 && ::rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) {
      std::this_thread::sleep_for(20ms);
    }
  }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }
  bool write(const std::string& file, const std::string& value) const {
    std::ofstream out(dir_ + "/" + file);
    out << value;
    out.flush();
    return out.good();
  }
  bool limit(std::size_t bytes) const {
    auto n = std::to_string(bytes);
    if (!v1_) {
      if (fs::exists(dir_ + "/memory.swap.max")) write("memory.swap.max", "0");
      return write("memory.max", n);
    }
    // No swapping out of the way of the OOM killer.
    write("memory.swappiness", "0");
    bool ok = write("memory.limit_in_bytes", n);
    if (fs::exists(dir_ + "/memory.memsw.limit_in_bytes")) write("memory.memsw.limit_in_bytes", n);
    return ok;
  }

 private:
  bool v1_;
  std::string dir_;
  std::string error_;
};

TEST(EbpfOomkillProbe, CountsAVictimUnderItsCgroup) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  auto options = testing::host_load_options();
  std::string own = own_cgroup_dir(options.cgroup_v1_memory);
  if (own.empty() || !fs::is_directory(own)) {
    GTEST_SKIP() << "cannot find this process's memory cgroup under /sys/fs/cgroup";
  }
  MemoryCgroup cgroup(options.cgroup_v1_memory, own);
  if (!cgroup.error().empty()) GTEST_SKIP() << cgroup.error();
  constexpr std::size_t kLimit = 32 << 20;
  ASSERT_TRUE(cgroup.limit(kLimit));

  ebpf::OomkillProbe probe(options);
  ASSERT_TRUE(probe.all_attached()) << testing::program_errors(probe);
  auto before = probe.kills_by_cgroup();
  auto total_before = probe.total();

  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char byte;
    ::close(go[1]);
    if (::read(go[0], &byte, 1) != 1) ::_exit(2);
    // Eight times the limit, every page touched: only the OOM killer stops this.
    std::size_t size = 8 * kLimit;
    auto* p = static_cast<char*>(
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) ::_exit(3);
    for (std::size_t i = 0; i < size; i += 4096) p[i] = 1;
    ::_exit(0);
  }
  ::close(go[0]);
  ASSERT_TRUE(cgroup.write("cgroup.procs", std::to_string(child)));
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child was not OOM-killed; status " << status;

  EXPECT_GE(probe.total() - total_before, 1U);
  std::uint64_t id = cgroup_id(cgroup.dir());
  ASSERT_NE(id, 0U);
  auto after = probe.kills_by_cgroup();
  EXPECT_GE(after[id] - before[id], 1U) << "victim not counted under its cgroup id " << id;
}

std::uint64_t snmp_retrans_segs() {
  std::vector<std::string_view> names;
  std::uint64_t value = 0;
  auto text = read_file("/proc/net/snmp");
  for_each_line(text, [&](std::string_view line) {
    if (!line.starts_with("Tcp:")) return;
    auto fields = split_fields(line);
    if (names.empty()) {
      names = fields;
      return;
    }
    for (std::size_t i = 0; i < fields.size() && i < names.size(); ++i) {
      if (names[i] == "RetransSegs") value = parse_uint(fields[i]).value_or(0);
    }
  });
  return value;
}

// A loopback connection whose receiver drops every segment with a socket filter: the sender
// gets no ACK and retransmits after its RTO (200 ms at least).
TEST(EbpfTcpretransProbe, CountsRetransmitsOnLoopback) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  ebpf::TcpretransProbe probe(testing::host_load_options());
  ASSERT_TRUE(probe.all_attached()) << testing::program_errors(probe);

  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  int server = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  sock_filter drop_all[] = {{BPF_RET | BPF_K, 0, 0, 0}};
  sock_fprog program{1, drop_all};
  ASSERT_EQ(::setsockopt(server, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program), 0);

  struct stat netns {};
  ASSERT_EQ(::stat("/proc/self/ns/net", &netns), 0);
  auto in_our_netns = [&] {
    std::uint64_t n = 0;
    for (const auto& e : probe.retransmits()) {
      if (e.key.netns_inum == netns.st_ino) n += e.count;
    }
    return n;
  };
  auto before = probe.total();
  auto ours_before = in_our_netns();
  auto snmp_before = snmp_retrans_segs();

  char data[1000] = {};
  ASSERT_EQ(::send(client, data, sizeof data, 0), static_cast<ssize_t>(sizeof data));
  // Wait for the retransmit itself, not for a time: a generous ceiling only guards a hang.
  for (int i = 0; i < 200 && probe.total() == before; ++i) std::this_thread::sleep_for(50ms);

  EXPECT_GE(probe.total() - before, 1U);
  EXPECT_GE(in_our_netns() - ours_before, 1U);
  EXPECT_GE(snmp_retrans_segs() - snmp_before, 1U) << "the kernel's own count agrees";
  ::close(client);
  ::close(server);
  ::close(listener);
}

TEST(EbpfCollector, ReportsEveryFamilyWithAllProgramsAttached) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  testing::CollectorHarness ebpf("ebpf", HostPaths{}, {"--collector.ebpf.kernel-stats"});
  ebpf.collect();
  // Something to see between the two scrapes.
  pid_t pid = spawn({"/bin/true"});
  ::waitpid(pid, nullptr, 0);
  auto text = ebpf.collect();
  EXPECT_TRUE(ebpf.problems().empty());
  EXPECT_EQ(testing::runqlat_programs_attached(text), "all attached") << text;
  EXPECT_NE(text.find("nodeprobe_ebpf_program_run_count_total{program=\"runqlat_"),
            std::string::npos);
  for (const char* program : {"biolat_complete", "biolat_issue", "oomkill_victim", "process_exec",
                              "process_exit", "tcpretrans_skb"}) {
    EXPECT_NE(
        text.find(std::string("nodeprobe_ebpf_program_attached{program=\"") + program + "\"} 1\n"),
        std::string::npos)
        << program;
    EXPECT_NE(text.find(std::string("nodeprobe_ebpf_program_run_count_total{program=\"") + program +
                        "\"}"),
              std::string::npos)
        << program;
  }
  for (const char* family :
       {"# TYPE node_process_execs_total counter", "# TYPE node_process_exits_total counter",
        "# TYPE node_process_lifetime_seconds histogram",
        "# TYPE node_sched_runqueue_latency_seconds histogram",
        "# TYPE node_oom_kills_total counter", "# TYPE node_tcp_retransmits_total counter",
        "# TYPE nodeprobe_ebpf_program_run_seconds_total counter",
        "node_process_exits_total{outcome=\"failure\"}",
        "node_process_exits_total{outcome=\"signal\"}",
        "node_process_exits_total{outcome=\"success\"}"}) {
    EXPECT_NE(text.find(family), std::string::npos) << family << "\n" << text;
  }
}

}  // namespace
}  // namespace nodeprobe

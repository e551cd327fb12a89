#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "agent/collector.h"
#include "collectors/process_table.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;
using testing::replace_all;
using testing::TempDir;

constexpr const char* kStat =
    "1 (systemd) S 0 1 1 0 -1 4194560 5043 1237781 91 2106 25 104 2773 1226 20 0 1 0 11 "
    "171192320 3212 18446744073709551615 1 1 0 0 0 0 671173123 4096 1260 0 0 0 17 0 0 0 0 0 0 0 "
    "0 0 0 0 0 0 0\n";

TEST(ParseTaskStat, RealLine) {
  auto stat = parse_task_stat(kStat);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->num_threads, 1);
}

TEST(ParseTaskStat, CommandNameWithSpacesAndParentheses) {
  auto stat =
      parse_task_stat("420 (my server) R (x) D 1 420 420 0 -1 0 0 0 0 0 0 0 0 0 20 0 12 0 42 0 0");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'D');
  EXPECT_EQ(stat->num_threads, 12);
}

TEST(ParseTaskStat, RejectsWhatIsNotAStatLine) {
  EXPECT_FALSE(parse_task_stat(""));
  EXPECT_FALSE(parse_task_stat("\n"));
  EXPECT_FALSE(parse_task_stat("garbage without parentheses"));
  EXPECT_FALSE(parse_task_stat("1 (systemd) S 0 1 1 0"));                        // truncated
  EXPECT_FALSE(parse_task_stat(")1 (systemd"));                                  // reversed
  EXPECT_FALSE(parse_task_stat("x (a) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1"));  // pid not a number
  EXPECT_FALSE(
      parse_task_stat("1 (a) Sx 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1"));  // state one letter
  EXPECT_FALSE(parse_task_stat("1 (a) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 -3"));  // negative count
  EXPECT_FALSE(parse_task_stat("1 (a) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 many"));
  EXPECT_FALSE(parse_task_stat(std::string(1 << 20, '(')));  // oversized junk
}

TEST(ParseTaskStat, OversizedCommandNameStillParses) {
  std::string line = "7 (" + std::string(100000, 'x') + ") R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 4";
  auto stat = parse_task_stat(line);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->num_threads, 4);
}

TEST(ProcessesCollector, MatchesGolden) {
  // init, an idle kernel worker, a three-thread server (main S, workers R and D) whose name holds
  // ") R (", a zombie, a stopped process whose task directory vanished, and entries that are not
  // processes.
  expect_golden(collect_text("processes", fixture_paths("processes")),
                "processes/processes.golden");
}

TEST(ProcessesCollector, BrokenTrees) {
  std::string out;
  {
    TempDir tree;
    tree.copy_fixture("processes");
    tree.write("proc/420/task/421/stat", "garbage\n");
    out +=
        replace_all(describe_run("processes", fixture_paths(tree.path())), tree.path(), "<tree>");
  }
  {
    TempDir tree;
    tree.copy_fixture("processes");
    tree.write("proc/sys/kernel/pid_max", "lots\n");
    out +=
        replace_all(describe_run("processes", fixture_paths(tree.path())), tree.path(), "<tree>");
  }
  {
    TempDir tree;
    tree.copy_fixture("processes");
    std::filesystem::remove(tree.path() + "/proc/sys/kernel/threads-max");
    out +=
        replace_all(describe_run("processes", fixture_paths(tree.path())), tree.path(), "<tree>");
  }
  {
    TempDir tree;  // no proc at all
    out +=
        replace_all(describe_run("processes", fixture_paths(tree.path())), tree.path(), "<tree>");
  }
  {
    TempDir tree;  // an empty process table still reports the limits
    tree.write("proc/sys/kernel/pid_max", "32768\n");
    tree.write("proc/sys/kernel/threads-max", "100\n");
    out +=
        replace_all(describe_run("processes", fixture_paths(tree.path())), tree.path(), "<tree>");
  }
  expect_golden(out, "processes/broken.golden");
}

// The value of one series in exposition text, 0 when it is absent.
double sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + series.size() + 2));
}

// Held by every test here that stops a process or counts stopped ones, for its whole run. ctest
// runs tests in parallel processes, and the counts are the whole machine's: another test's
// stopped child would be counted in this one's (it was, once, on CI).
class StoppedProcessesLock {
 public:
  StoppedProcessesLock() {
    std::string path = (std::filesystem::temp_directory_path() / "nodeprobe-stopped-tests.lock");
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + path);
  }
  ~StoppedProcessesLock() { ::close(fd_); }  // closing the last descriptor lets go of the lock
  StoppedProcessesLock(const StoppedProcessesLock&) = delete;
  StoppedProcessesLock& operator=(const StoppedProcessesLock&) = delete;

 private:
  int fd_ = -1;
};

// A child process with `threads` extra threads, stopped with SIGSTOP: every one of its tasks is
// in state T, which on a quiet machine nothing else is.
class StoppedChild {
 public:
  explicit StoppedChild(int threads) {
    int ready[2];
    if (::pipe(ready) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::close(ready[0]);
      std::vector<std::thread> workers;
      for (int i = 0; i < threads; ++i) workers.emplace_back([] { ::pause(); });
      char c = 'r';
      if (::write(ready[1], &c, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char c = 0;
    if (::read(ready[0], &c, 1) != 1) throw std::runtime_error("child did not start");
    ::close(ready[0]);
    ::kill(pid_, SIGSTOP);
    int status = 0;
    ::waitpid(pid_, &status, WUNTRACED);
  }
  ~StoppedChild() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  StoppedChild(const StoppedChild&) = delete;
  StoppedChild& operator=(const StoppedChild&) = delete;

 private:
  pid_t pid_ = -1;
};

TEST(ProcessesCollector, LiveTableThroughLibproc2SeesAStoppedProcessAndItsThreads) {
  StoppedProcessesLock lock;
  HostPaths live;  // the real /proc: the collector reads it through libproc2
  ASSERT_TRUE(is_live_procfs(live.procfs));
  ASSERT_FALSE(is_live_procfs(fixture_paths("processes").procfs));
  testing::CollectorHarness processes("processes", live);

  std::string before = processes.collect();
  EXPECT_GT(sample(before, "node_processes_pids"), 1);
  EXPECT_GE(sample(before, "node_processes_threads"), sample(before, "node_processes_pids"));
  EXPECT_GT(sample(before, "node_processes_max_processes"), 0);
  EXPECT_GT(sample(before, "node_processes_max_threads"), 0);

  std::string after;
  {
    StoppedChild child(20);
    after = processes.collect();
  }
  std::string gone = processes.collect();

  const std::string stopped = "node_processes_state{state=\"T\"}";
  const std::string stopped_threads = "node_processes_threads_state{thread_state=\"T\"}";
  EXPECT_EQ(sample(after, stopped) - sample(before, stopped), 1) << after;
  EXPECT_EQ(sample(after, stopped_threads) - sample(before, stopped_threads), 21) << after;
  EXPECT_EQ(sample(gone, stopped), sample(before, stopped)) << gone;
  EXPECT_EQ(sample(gone, stopped_threads), sample(before, stopped_threads)) << gone;
}

TEST(ProcessesCollector, Libproc2AndTheFileReaderAgreeOnTheLiveTable) {
  StoppedProcessesLock lock;
  StoppedChild child(5);
  Libproc2Table libproc2;
  ProcessTable a = libproc2.read();
  ProcessTable b = read_process_table("/proc");
  // Other processes come and go between the two reads; the stopped child holds still.
  EXPECT_EQ(a.process_states["T"], b.process_states["T"]);
  EXPECT_EQ(a.thread_states["T"], b.thread_states["T"]);
  EXPECT_GE(a.thread_states["T"], 6u);
  // The library handle is kept and reused.
  ProcessTable again = libproc2.read();
  EXPECT_EQ(again.thread_states["T"], a.thread_states["T"]);
}

}  // namespace
}  // namespace nodeprobe

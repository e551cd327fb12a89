#include "collectors/process_table.h"

#include <libproc2/pids.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "agent/dynamic_library.h"
#include "agent/host_paths.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

// A stat line is a few hundred bytes; the command name is at most 64.
constexpr std::size_t kStatCap = 16 * 1024;

// Fields after the command name: state is the first, num_threads the 18th (proc(5) fields 3, 20).
constexpr std::size_t kStateField = 0;
constexpr std::size_t kNumThreadsField = 17;

bool is_pid(std::string_view name) {
  return !name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos;
}

// A process or thread that exits between listing and reading: ENOENT for the file, ESRCH when
// the kernel notices the task is gone while the file is open.
bool vanished(int err) { return err == ENOENT || err == ESRCH; }

// The stat of one task; nullopt when it has vanished.
std::optional<TaskStat> read_task_stat(const std::string& path) {
  std::string text;
  int err = 0;
  if (!try_read_file(path, text, err, kStatCap)) {
    if (vanished(err)) return std::nullopt;
    throw FileError(path, err);
  }
  auto stat = parse_task_stat(text);
  if (!stat) throw std::runtime_error(path + ": not a stat line");
  return stat;
}

// node_exporter counts the main thread with the state its process stat showed, and reads the
// others from task/<tid>/stat.
void add_thread_states(const std::string& process_dir, std::string_view pid, char process_state,
                       ProcessTable& table) {
  std::string task_dir = process_dir + "/task";
  int err = 0;
  auto tids = list_directory(task_dir, err);
  if (!tids) {
    if (vanished(err)) return;
    throw FileError(task_dir, err);
  }
  for (const auto& tid : *tids) {
    if (!is_pid(tid)) continue;
    if (tid == pid) {
      ++table.thread_states[std::string(1, process_state)];
      continue;
    }
    auto stat = read_task_stat(task_dir + "/" + tid + "/stat");
    if (stat) ++table.thread_states[std::string(1, stat->state)];
  }
}

}  // namespace

std::optional<TaskStat> parse_task_stat(std::string_view text) {
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  if (!parse_int(trim(text.substr(0, open)))) return std::nullopt;
  auto fields = split_fields(text.substr(close + 1));
  if (fields.size() <= kNumThreadsField || fields[kStateField].size() != 1) return std::nullopt;
  auto threads = parse_int(fields[kNumThreadsField]);
  if (!threads || *threads < 0) return std::nullopt;
  return TaskStat{fields[kStateField][0], *threads};
}

ProcessTable read_process_table(const std::string& procfs) {
  int err = 0;
  auto entries = list_directory(procfs, err);
  if (!entries) throw FileError(procfs, err);
  ProcessTable table;
  for (const auto& pid : *entries) {
    if (!is_pid(pid)) continue;
    std::string dir = HostPaths::join(procfs, pid);
    auto stat = read_task_stat(dir + "/stat");
    if (!stat) continue;
    ++table.processes;
    ++table.process_states[std::string(1, stat->state)];
    table.threads += static_cast<std::uint64_t>(stat->num_threads);
    add_thread_states(dir, pid, stat->state, table);
  }
  return table;
}

namespace {

// libproc2, loaded when the processes collector first reads the live process table (see
// agent/dynamic_library.h: it links libsystemd and its compression and crypto libraries).
struct Proc2Api {
  decltype(&::procps_pids_new) pids_new = nullptr;
  decltype(&::procps_pids_reap) pids_reap = nullptr;
  decltype(&::procps_pids_unref) pids_unref = nullptr;
};

const Proc2Api& proc2_api() {
  static const Proc2Api api = [] {
    static DynamicLibrary lib("libproc2.so.0");
    Proc2Api a;
    if (!(lib.bind("procps_pids_new", a.pids_new) && lib.bind("procps_pids_reap", a.pids_reap) &&
          lib.bind("procps_pids_unref", a.pids_unref))) {
      throw std::runtime_error("libproc2: " + lib.error());
    }
    return a;
  }();
  return api;
}

}  // namespace

Libproc2Table::~Libproc2Table() {
  if (info_ != nullptr) proc2_api().pids_unref(&info_);
}

ProcessTable Libproc2Table::read() {
  // The order of the items is the order of the results in each stack.
  static enum pids_item kItems[] = {PIDS_ID_PID, PIDS_ID_TGID, PIDS_STATE, PIDS_NLWP};
  enum { kTid, kTgid, kState, kThreads };
  if (info_ == nullptr) {
    int rc = proc2_api().pids_new(&info_, kItems, sizeof kItems / sizeof kItems[0]);
    if (rc < 0) {
      info_ = nullptr;
      throw std::runtime_error(std::string("libproc2: procps_pids_new: ") + std::strerror(-rc));
    }
  }
  // One pass over every task: each thread once (the main thread too), with its thread group.
  errno = 0;
  struct pids_fetch* fetch = proc2_api().pids_reap(info_, PIDS_FETCH_THREADS_TOO);
  if (fetch == nullptr) {
    throw std::runtime_error(std::string("libproc2: cannot read the process table: ") +
                             std::strerror(errno != 0 ? errno : EIO));
  }
  ProcessTable table;
  for (int i = 0; i < fetch->counts->total; ++i) {
    struct pids_stack* stack = fetch->stacks[i];
    char state = PIDS_VAL(kState, s_ch, stack, info_);
    ++table.thread_states[std::string(1, state)];
    if (PIDS_VAL(kTid, s_int, stack, info_) != PIDS_VAL(kTgid, s_int, stack, info_)) continue;
    ++table.processes;
    ++table.process_states[std::string(1, state)];
    int threads = PIDS_VAL(kThreads, s_int, stack, info_);
    if (threads > 0) table.threads += static_cast<std::uint64_t>(threads);
  }
  return table;
}

bool is_live_procfs(const std::string& procfs) {
  struct stat given {};
  struct stat live {};
  if (::stat(procfs.c_str(), &given) != 0 || ::stat("/proc", &live) != 0) return false;
  return given.st_dev == live.st_dev && given.st_ino == live.st_ino;
}

}  // namespace nodeprobe

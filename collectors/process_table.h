#pragma once

// The process table as the processes collector reports it: how many processes and threads, and
// in which scheduler state. Read through procps 4's libproc2 from the live /proc, or from a
// procfs tree elsewhere (--path.procfs=/host/proc, a fixture) with the parser below.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

struct pids_info;  // libproc2's handle (libproc2/pids.h)

namespace nodeprobe {

struct ProcessTable {
  std::uint64_t processes = 0;
  // The sum of num_threads over the processes, as node_exporter counts it.
  std::uint64_t threads = 0;
  // Keyed by the one-letter state of proc(5): "R", "S", "D", "I", "Z", ...
  std::map<std::string, std::uint64_t> process_states;
  std::map<std::string, std::uint64_t> thread_states;
};

// The fields of /proc/<pid>/stat (or task/<tid>/stat) that the table needs.
struct TaskStat {
  char state = '?';
  std::int64_t num_threads = 0;
};

// Parses one stat line. The command name may hold spaces and parentheses, so the fields are
// counted from the last ')'. nullopt for anything that is not a stat line.
std::optional<TaskStat> parse_task_stat(std::string_view text);

// Every process and thread under `procfs`, read file by file as node_exporter does. A process or
// thread that ends while it is read is left out; any other read or parse failure throws.
ProcessTable read_process_table(const std::string& procfs);

// The same from the live /proc through libproc2 (which cannot be pointed at another procfs).
// Keeps its library handle between calls; not thread-safe, one instance per collector.
class Libproc2Table {
 public:
  Libproc2Table() = default;
  ~Libproc2Table();
  Libproc2Table(const Libproc2Table&) = delete;
  Libproc2Table& operator=(const Libproc2Table&) = delete;

  // Throws std::runtime_error when libproc2 cannot read the table.
  ProcessTable read();

 private:
  ::pids_info* info_ = nullptr;
};

// True when `procfs` is the /proc this process sees (the same mount, whatever the spelling),
// so libproc2's fixed "/proc" reads the table that was asked for.
bool is_live_procfs(const std::string& procfs);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/host_paths.h"
#include "bpf/log2_hist.h"

struct bpf_link;
struct bpf_map;
struct bpf_object;
struct btf;

namespace nodeprobe::ebpf {

// How a probe is loaded. The collector fills it from the host; tests bend parts of it.
struct LoadOptions {
  // The running kernel's BTF, for CO-RE relocations and for reading tracepoint arguments.
  // Empty: libbpf's own search (/sys/kernel/btf/vmlinux).
  std::string btf_path;
  // The same BTF, parsed once for every probe; null leaves the settings that depend on it at
  // their defaults (the layout of current kernels).
  std::shared_ptr<const btf> kernel_btf;
  // Key cgroup counters by the v1 memory controller's cgroup rather than the unified one.
  bool cgroup_v1_memory = false;
  // Disks on the host (entries of /sys/block), to size the block latency map; 0: the maximum.
  unsigned block_devices = 0;
  // Non-empty: the host cannot run BPF programs at all (see diagnose_host). Nothing is loaded
  // and every program reports this as its error.
  std::string blocked;
  // Attaches a program to another raw tracepoint than its SEC() names. For tests that play a
  // kernel without one of the tracepoints.
  std::map<std::string, std::string, std::less<>> attach_overrides;
  // How the run-queue probe measures waits (bpf/runqlat.bpf.c): from the scheduler's own
  // enqueue stamps where this kernel keeps them (automatic), or always from wakeups.
  enum class RunqueueMethod { automatic, wakeups };
  RunqueueMethod runqueue_method = RunqueueMethod::automatic;
  // BTF-typed tracepoints (tp_btf) where the kernel has them (kernel_has_tp_btf); false plays a
  // kernel without them, for tests.
  bool use_tp_btf = true;
};

struct ProgramState {
  std::string name;        // the BPF program, as its C function is called
  std::string tracepoint;  // the raw tracepoint it attaches to
  bool attached = false;
  std::string error;  // why it is not attached
  int fd = -1;        // the loaded program, for its run statistics
};

// Owns one loaded BPF skeleton and the links of its programs: the RAII counterpart of
// libbpf-tools' `goto cleanup`, shared by the collector and the privileged tests. Every program
// attaches on its own, so a tracepoint this kernel lacks costs only the program that needs it.
class BpfProbe {
 public:
  virtual ~BpfProbe();
  BpfProbe(const BpfProbe&) = delete;
  BpfProbe& operator=(const BpfProbe&) = delete;

  const std::string& name() const { return name_; }
  // Empty when the object loaded into the kernel.
  const std::string& load_error() const { return load_error_; }
  bool loaded() const { return loaded_; }
  const std::vector<ProgramState>& programs() const { return programs_; }
  bool attached(std::string_view program) const;
  bool all_attached() const;

 protected:
  explicit BpfProbe(std::string name) : name_(std::move(name)) {}

  // Takes an opened skeleton (null when opening failed, with errno set): it is destroyed after
  // the links. Lists the object's programs.
  void adopt(bpf_object* object, std::function<void()> destroy_skeleton);
  // Loads the object into the kernel unless options.blocked says not to. False on failure,
  // recorded in load_error() and in every program's error.
  bool load(const LoadOptions& options);
  // Attaches every program to its tracepoint (raw or tp_btf), each on its own.
  void attach(const LoadOptions& options);
  // Leaves a program of the object out: not loaded, not attached, not listed. Before load().
  void skip_program(const char* name);
  bpf_map* map(const char* name) const;

 private:
  void fail_all(const std::string& error);

  std::string name_;
  bpf_object* object_ = nullptr;
  std::function<void()> destroy_skeleton_;
  std::vector<bpf_link*> links_;
  std::vector<ProgramState> programs_;
  bool loaded_ = false;
  std::string load_error_;
};

// Why this host cannot run the probes, with what would fix it, judged from files under the
// host paths: the kernel's BTF and its lockdown mode. nullopt when nothing there stops them.
std::optional<std::string> diagnose_host(const HostPaths& paths);

// Why this process may not load BPF programs (missing capabilities), or nullopt.
std::optional<std::string> diagnose_privileges();

// The number of disks under <sysfs>/block.
unsigned count_block_devices(const HostPaths& paths);

// True where cgroup ids should come from the v1 memory controller: a host without the unified
// hierarchy at <sysfs>/fs/cgroup but with a v1 memory controller there.
bool uses_cgroup_v1_memory(const HostPaths& paths);

// The arguments a raw tracepoint passes its programs (its TP_PROTO, read from the
// btf_trace_<name> typedef in the kernel's BTF), each true for a pointer. Empty when the
// kernel has no such tracepoint.
std::vector<bool> raw_tracepoint_args(const btf& kernel_btf, std::string_view tracepoint);

// A program that does nothing, attached to sched_switch as a tp_btf program, for as long as the
// object lives: the probe for tp_btf support, and the benchmark's floor (bench/ebpf_overhead.cpp).
class NoopTpBtfProgram {
 public:
  explicit NoopTpBtfProgram(const btf& kernel_btf);
  ~NoopTpBtfProgram();
  NoopTpBtfProgram(const NoopTpBtfProgram&) = delete;
  NoopTpBtfProgram& operator=(const NoopTpBtfProgram&) = delete;
  bool attached() const { return link_fd_ >= 0; }

 private:
  int prog_fd_ = -1;
  int link_fd_ = -1;
};

// Whether the kernel runs BTF-typed tracepoint programs (tp_btf: the tracing program type,
// which some kernels leave out): loads and attaches a NoopTpBtfProgram, then removes it.
bool kernel_has_tp_btf(const btf& kernel_btf);

// Whether the kernel's BTF has struct <type_name> with a member of that name.
bool btf_has_member(const btf& kernel_btf, const char* type_name, const char* member);

// Parses BTF from a file; null when it cannot (errno says why).
std::shared_ptr<const btf> parse_btf(const std::string& path);

// Routes libbpf's messages to the agent's log at debug level (once per process).
void route_libbpf_logs();

// The sum over CPUs of one key's value in a per-CPU map of struct log2_hist; false when the
// key is absent or the map cannot be read.
bool read_percpu_hist(const bpf_map* map, const void* key, std::size_t key_size, log2_hist& out);

// Calls `visit` with every key of a hash map whose keys are `key_size` bytes.
void for_each_key(const bpf_map* map, std::size_t key_size,
                  const std::function<void(const void* key)>& visit);

// Run statistics of a loaded program, kept by the kernel while BPF stats are on.
struct ProgramRunStats {
  std::uint64_t run_count = 0;
  std::uint64_t run_time_ns = 0;
};
std::optional<ProgramRunStats> program_run_stats(int program_fd);

}  // namespace nodeprobe::ebpf

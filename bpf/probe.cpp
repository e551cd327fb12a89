#include "bpf/probe.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "agent/logging.h"
#include "agent/read_file.h"

namespace nodeprobe::ebpf {
namespace {

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// libbpf names raw tracepoint programs "raw_tp/<tracepoint>" (or the long form).
std::string tracepoint_of(const bpf_program* program) {
  std::string_view section = bpf_program__section_name(program);
  for (std::string_view prefix : {"raw_tp/", "raw_tracepoint/", "tp_btf/"}) {
    if (section.starts_with(prefix)) return std::string(section.substr(prefix.size()));
  }
  return std::string(section);
}

int libbpf_to_log(enum libbpf_print_level, const char* format, va_list args) {
  char line[1024];
  int n = std::vsnprintf(line, sizeof line, format, args);
  if (n <= 0) return n;
  std::string_view text(line, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof line - 1));
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // Every level goes to debug: the collector itself logs what a failure means, once.
  log::debug("libbpf", {{"message", text}});
  return n;
}

}  // namespace

BpfProbe::~BpfProbe() {
  for (auto* link : links_) bpf_link__destroy(link);
  if (destroy_skeleton_) destroy_skeleton_();
}

void BpfProbe::adopt(bpf_object* object, std::function<void()> destroy_skeleton) {
  int open_errno = errno;
  object_ = object;
  destroy_skeleton_ = std::move(destroy_skeleton);
  if (object_ == nullptr) {
    load_error_ = "opening the BPF object failed: " + errno_text(open_errno);
    return;
  }
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object_) {
    programs_.push_back({bpf_program__name(program), tracepoint_of(program), false, "", -1});
  }
}

bool BpfProbe::load(const LoadOptions& options) {
  if (object_ == nullptr) return false;
  if (!options.blocked.empty()) {
    fail_all(options.blocked);
    return false;
  }
  int err = bpf_object__load(object_);
  if (err != 0) {
    // The verifier's log went to debug through libbpf's print callback.
    fail_all("loading into the kernel failed: " + errno_text(err));
    return false;
  }
  loaded_ = true;
  return true;
}

void BpfProbe::attach(const LoadOptions& options) {
  if (!loaded_) return;
  for (auto& state : programs_) {
    auto* program = bpf_object__find_program_by_name(object_, state.name.c_str());
    if (program == nullptr) continue;
    state.fd = bpf_program__fd(program);
    if (auto it = options.attach_overrides.find(state.name); it != options.attach_overrides.end()) {
      state.tracepoint = it->second;
    }
    // A tp_btf program names its tracepoint at load time (its BTF id); raw_tp ones here.
    auto* link = bpf_program__type(program) == BPF_PROG_TYPE_TRACING
                     ? bpf_program__attach_trace(program)
                     : bpf_program__attach_raw_tracepoint(program, state.tracepoint.c_str());
    if (link == nullptr) {
      int err = errno;
      state.error = "attaching to tracepoint " + state.tracepoint + " failed: " + errno_text(err) +
                    (err == ENOENT ? " (this kernel has no such tracepoint)" : "");
      continue;
    }
    links_.push_back(link);
    state.attached = true;
  }
}

void BpfProbe::skip_program(const char* name) {
  if (object_ == nullptr) return;
  if (auto* program = bpf_object__find_program_by_name(object_, name)) {
    bpf_program__set_autoload(program, false);
  }
  std::erase_if(programs_, [name](const ProgramState& state) { return state.name == name; });
}

void BpfProbe::fail_all(const std::string& error) {
  load_error_ = error;
  for (auto& state : programs_) state.error = error;
}

bpf_map* BpfProbe::map(const char* name) const {
  return object_ != nullptr ? bpf_object__find_map_by_name(object_, name) : nullptr;
}

bool BpfProbe::attached(std::string_view program) const {
  for (const auto& state : programs_) {
    if (state.name == program) return state.attached;
  }
  return false;
}

bool BpfProbe::all_attached() const {
  if (programs_.empty()) return false;
  for (const auto& state : programs_) {
    if (!state.attached) return false;
  }
  return true;
}

std::optional<std::string> diagnose_host(const HostPaths& paths) {
  auto btf = paths.sys("kernel/btf/vmlinux");
  if (!exists(btf)) {
    return "the kernel exposes no BTF (" + btf +
           " is missing), which the probes' CO-RE relocations need; use a kernel built with "
           "CONFIG_DEBUG_INFO_BTF=y (Linux >= 5.4)";
  }
  // "none [integrity] confidentiality": the bracketed word is the mode in force. Integrity
  // mode only stops BPF from writing user memory, which the probes never do.
  std::string lockdown;
  int err = 0;
  if (try_read_file(paths.sys("kernel/security/lockdown"), lockdown, err) &&
      lockdown.find("[confidentiality]") != std::string::npos) {
    return "kernel lockdown is in confidentiality mode, which forbids BPF programs to read "
           "kernel memory; boot with lockdown=integrity (or none) to use the probes";
  }
  return std::nullopt;
}

std::optional<std::string> diagnose_privileges() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return std::nullopt;  // let loading tell
  auto has = [&](int cap) { return (data[cap / 32].effective & (1U << (cap % 32))) != 0; };
  // CAP_BPF and CAP_PERFMON split out of CAP_SYS_ADMIN in Linux 5.8; either way works there.
  constexpr int kCapPerfmon = 38;
  constexpr int kCapBpf = 39;
  if (has(CAP_SYS_ADMIN) || (has(kCapBpf) && has(kCapPerfmon))) return std::nullopt;
  return std::string(
      "the process lacks the capabilities to load BPF programs; run nodeprobe as root or "
      "grant it CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN before Linux 5.8)");
}

unsigned count_block_devices(const HostPaths& paths) {
  std::error_code ec;
  unsigned n = 0;
  for (std::filesystem::directory_iterator it(paths.sys("block"), ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

bool uses_cgroup_v1_memory(const HostPaths& paths) {
  if (exists(paths.sys("fs/cgroup/cgroup.controllers"))) return false;
  return exists(paths.sys("fs/cgroup/memory/memory.limit_in_bytes"));
}

std::vector<bool> raw_tracepoint_args(const btf& kernel_btf, std::string_view tracepoint) {
  std::string name = "btf_trace_" + std::string(tracepoint);
  auto id = btf__find_by_name_kind(&kernel_btf, name.c_str(), BTF_KIND_TYPEDEF);
  if (id < 0) return {};
  // typedef void (*btf_trace_<name>)(void *__data, <TP_PROTO args>);
  const btf_type* type = btf__type_by_id(&kernel_btf, btf__resolve_type(&kernel_btf, id));
  if (type == nullptr || !btf_is_ptr(type)) return {};
  type = btf__type_by_id(&kernel_btf, type->type);
  if (type == nullptr || !btf_is_func_proto(type) || btf_vlen(type) == 0) return {};
  std::vector<bool> args;
  const btf_param* params = btf_params(type);
  for (int i = 1; i < btf_vlen(type); ++i) {
    auto arg_id = btf__resolve_type(&kernel_btf, params[i].type);
    const btf_type* arg = arg_id < 0 ? nullptr : btf__type_by_id(&kernel_btf, arg_id);
    args.push_back(arg != nullptr && btf_is_ptr(arg));
  }
  return args;
}

bool btf_has_member(const btf& kernel_btf, const char* type_name, const char* member) {
  auto id = btf__find_by_name_kind(&kernel_btf, type_name, BTF_KIND_STRUCT);
  const btf_type* type = id < 0 ? nullptr : btf__type_by_id(&kernel_btf, id);
  if (type == nullptr) return false;
  const btf_member* members = btf_members(type);
  for (int i = 0; i < btf_vlen(type); ++i) {
    const char* name = btf__name_by_offset(&kernel_btf, members[i].name_off);
    if (name != nullptr && std::strcmp(name, member) == 0) return true;
  }
  return false;
}

NoopTpBtfProgram::NoopTpBtfProgram(const btf& kernel_btf) {
  auto id = btf__find_by_name_kind(&kernel_btf, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
  if (id < 0) return;
  const bpf_insn program[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  bpf_prog_load_opts opts{};
  opts.sz = sizeof opts;
  opts.expected_attach_type = BPF_TRACE_RAW_TP;
  opts.attach_btf_id = static_cast<__u32>(id);
  prog_fd_ = bpf_prog_load(BPF_PROG_TYPE_TRACING, "np_noop_switch", "GPL", program,
                           std::size(program), &opts);
  if (prog_fd_ >= 0) link_fd_ = bpf_raw_tracepoint_open(nullptr, prog_fd_);
}

NoopTpBtfProgram::~NoopTpBtfProgram() {
  if (link_fd_ >= 0) ::close(link_fd_);
  if (prog_fd_ >= 0) ::close(prog_fd_);
}

bool kernel_has_tp_btf(const btf& kernel_btf) { return NoopTpBtfProgram(kernel_btf).attached(); }

std::shared_ptr<const btf> parse_btf(const std::string& path) {
  btf* parsed = btf__parse(path.c_str(), nullptr);
  if (parsed == nullptr) return nullptr;
  return std::shared_ptr<const btf>(parsed, [](const btf* b) { btf__free(const_cast<btf*>(b)); });
}

void route_libbpf_logs() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(libbpf_to_log); });
}

bool read_percpu_hist(const bpf_map* map, const void* key, std::size_t key_size, log2_hist& out) {
  out = {};
  int cpus = libbpf_num_possible_cpus();
  if (map == nullptr || cpus <= 0) return false;
  // Per-CPU values come one after another, each rounded up to 8 bytes (log2_hist already is).
  std::vector<log2_hist> per_cpu(static_cast<std::size_t>(cpus));
  if (bpf_map__lookup_elem(map, key, key_size, per_cpu.data(), per_cpu.size() * sizeof(log2_hist),
                           0) != 0) {
    return false;
  }
  for (const auto& cpu : per_cpu) {
    for (int i = 0; i < LOG2_HIST_SLOTS; ++i) out.slots[i] += cpu.slots[i];
    out.sum_ns += cpu.sum_ns;
  }
  return true;
}

void for_each_key(const bpf_map* map, std::size_t key_size,
                  const std::function<void(const void* key)>& visit) {
  if (map == nullptr) return;
  std::vector<unsigned char> key(key_size), next(key_size);
  const void* previous = nullptr;  // null asks for the first key
  while (bpf_map__get_next_key(map, previous, next.data(), key_size) == 0) {
    visit(next.data());
    key.swap(next);
    previous = key.data();
  }
}

std::optional<ProgramRunStats> program_run_stats(int program_fd) {
  if (program_fd < 0) return std::nullopt;
  bpf_prog_info info{};
  __u32 length = sizeof info;
  if (bpf_obj_get_info_by_fd(program_fd, &info, &length) != 0) return std::nullopt;
  return ProgramRunStats{info.run_cnt, info.run_time_ns};
}

}  // namespace nodeprobe::ebpf

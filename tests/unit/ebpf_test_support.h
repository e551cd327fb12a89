#pragma once

// Shared by the eBPF tests: whether this run can load BPF programs for real, and the load
// options the collector would use on this host.

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <string_view>

#include "agent/host_paths.h"
#include "bpf/probe.h"

namespace nodeprobe::testing {

// Why BPF programs cannot be loaded by this test run, or nullopt when they can.
inline std::optional<std::string> bpf_unavailable_reason() {
  if (::geteuid() != 0) return "not running as root (CI runs these tests as root)";
  if (auto problem = ebpf::diagnose_host(HostPaths{})) return *problem;
  if (auto problem = ebpf::diagnose_privileges()) return *problem;
  return std::nullopt;
}

// Skips the test, saying why, where BPF programs cannot be loaded.
#define NODEPROBE_SKIP_WITHOUT_BPF()                                                 \
  do {                                                                               \
    if (auto why = ::nodeprobe::testing::bpf_unavailable_reason()) {                 \
      GTEST_SKIP() << "needs to load BPF programs, which this run cannot: " << *why; \
    }                                                                                \
  } while (0)

// What the ebpf collector passes its probes on this host.
inline ebpf::LoadOptions host_load_options() {
  ebpf::route_libbpf_logs();
  ebpf::LoadOptions options;
  HostPaths paths;
  options.btf_path = paths.sys("kernel/btf/vmlinux");
  options.kernel_btf = ebpf::parse_btf(options.btf_path);
  options.cgroup_v1_memory = ebpf::uses_cgroup_v1_memory(paths);
  options.block_devices = ebpf::count_block_devices(paths);
  return options;
}

// "all attached" when the exposition lists at least one runqlat program and each of them
// attached; otherwise what is wrong. Which programs the probe runs depends on the kernel.
inline std::string runqlat_programs_attached(std::string_view text) {
  constexpr std::string_view kPrefix = "nodeprobe_ebpf_program_attached{program=\"runqlat_";
  int listed = 0;
  for (std::size_t at = text.find(kPrefix); at != std::string_view::npos;
       at = text.find(kPrefix, at + 1)) {
    auto line = text.substr(at, text.find('\n', at) - at);
    if (!line.ends_with("} 1")) return "not attached: " + std::string(line);
    ++listed;
  }
  return listed > 0 ? "all attached" : "no runqlat program listed";
}

// Every program's error, for assertion messages.
inline std::string program_errors(const ebpf::BpfProbe& probe) {
  std::string out = probe.name() + ": " + probe.load_error();
  for (const auto& p : probe.programs()) {
    if (!p.attached) out += " [" + p.name + ": " + p.error + "]";
  }
  return out;
}

}  // namespace nodeprobe::testing

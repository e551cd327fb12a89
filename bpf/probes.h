#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "bpf/biolat.h"
#include "bpf/log2_hist.h"
#include "bpf/probe.h"
#include "bpf/process.h"
#include "bpf/tcpretrans.h"

struct biolat_bpf;
struct oomkill_bpf;
struct process_bpf;
struct runqlat_bpf;
struct tcpretrans_bpf;

// The probes, one per bpf/<probe>.bpf.c skeleton. Each constructor opens, loads and attaches
// (see BpfProbe for what happens when a step fails); the readers sum what the kernel side has
// aggregated since then.
namespace nodeprobe::ebpf {

// Execs, process exits by outcome, and process lifetimes (bpf/process.bpf.c).
class ProcessProbe final : public BpfProbe {
 public:
  explicit ProcessProbe(const LoadOptions& options);
  std::map<std::uint64_t, process_counts> counts_by_cgroup() const;
  process_counts totals() const;
  // Drops the counters of cgroups that no longer exist, to free their map slots.
  void forget_cgroups(const std::vector<std::uint64_t>& cgroup_ids);
  log2_hist lifetime() const;

 private:
  process_bpf* skeleton_ = nullptr;
};

// Time runnable tasks wait for a CPU (bpf/runqlat.bpf.c).
class RunqlatProbe final : public BpfProbe {
 public:
  explicit RunqlatProbe(const LoadOptions& options);
  log2_hist latency() const;
  // Which programs measure: runqlat_switch_in_btf or runqlat_switch_in alone, reading the
  // scheduler's enqueue stamps, or runqlat_wakeup, runqlat_wakeup_new and runqlat_switch
  // (bpf/runqlat.bpf.c).
  enum class Method { sched_info, wakeups };
  Method method() const { return method_; }

 private:
  runqlat_bpf* skeleton_ = nullptr;
  Method method_ = Method::wakeups;
};

// Block request latency per disk and operation (bpf/biolat.bpf.c).
class BiolatProbe final : public BpfProbe {
 public:
  explicit BiolatProbe(const LoadOptions& options);
  struct Entry {
    biolat_key key;
    log2_hist hist;
  };
  std::vector<Entry> latency() const;

 private:
  biolat_bpf* skeleton_ = nullptr;
};

// OOM killer victims per cgroup (bpf/oomkill.bpf.c).
class OomkillProbe final : public BpfProbe {
 public:
  explicit OomkillProbe(const LoadOptions& options);
  std::map<std::uint64_t, std::uint64_t> kills_by_cgroup() const;
  std::uint64_t total() const;
  void forget_cgroups(const std::vector<std::uint64_t>& cgroup_ids);

 private:
  oomkill_bpf* skeleton_ = nullptr;
};

// Retransmitted TCP segments per socket owner (bpf/tcpretrans.bpf.c).
class TcpretransProbe final : public BpfProbe {
 public:
  explicit TcpretransProbe(const LoadOptions& options);
  struct Entry {
    tcpretrans_key key;
    std::uint64_t count;
  };
  std::vector<Entry> retransmits() const;
  std::uint64_t total() const;
  void forget(const std::vector<tcpretrans_key>& keys);

 private:
  tcpretrans_bpf* skeleton_ = nullptr;
};

}  // namespace nodeprobe::ebpf

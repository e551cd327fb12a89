#include "bpf/probes.h"

#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>

#include "agent/parse.h"
#include "agent/read_file.h"
#include "bpf/biolat.skel.h"
#include "bpf/oomkill.skel.h"
#include "bpf/process.skel.h"
#include "bpf/runqlat.skel.h"
#include "bpf/tcpretrans.skel.h"

namespace nodeprobe::ebpf {
namespace {

bpf_object_open_opts open_options(const LoadOptions& options) {
  bpf_object_open_opts opts{};
  opts.sz = sizeof opts;
  if (!options.btf_path.empty()) opts.btf_custom_path = options.btf_path.c_str();
  return opts;
}

// Makes sure a counter map has the key where the kernel side counts once the map is full.
template <class Key, class Value>
void create_overflow_key(bpf_map* map) {
  Key key{};
  Value value{};
  bpf_map__update_elem(map, &key, sizeof key, &value, sizeof value, BPF_NOEXIST);
}

// Sums a hash of __u64 counters keyed by Key.
template <class Key>
std::vector<std::pair<Key, std::uint64_t>> read_counters(const bpf_map* map) {
  std::vector<std::pair<Key, std::uint64_t>> out;
  for_each_key(map, sizeof(Key), [&](const void* raw) {
    Key key{};
    std::memcpy(&key, raw, sizeof key);
    std::uint64_t value = 0;
    if (bpf_map__lookup_elem(map, &key, sizeof key, &value, sizeof value, 0) == 0) {
      out.emplace_back(key, value);
    }
  });
  return out;
}

// Deletes keys from a map; a key already gone is no error.
template <class Key>
void delete_keys(bpf_map* map, const std::vector<Key>& keys) {
  for (const Key& key : keys) bpf_map__delete_elem(map, &key, sizeof key, 0);
}

}  // namespace

ProcessProbe::ProcessProbe(const LoadOptions& options) : BpfProbe("process") {
  auto opts = open_options(options);
  skeleton_ = process_bpf::open(&opts);
  adopt(skeleton_ ? skeleton_->obj : nullptr, [s = skeleton_] { process_bpf::destroy(s); });
  if (skeleton_ == nullptr) return;
  skeleton_->rodata->cgroup_v1_memory = options.cgroup_v1_memory;
  if (!load(options)) return;
  create_overflow_key<std::uint64_t, process_counts>(skeleton_->maps.counts);
  attach(options);
}

std::map<std::uint64_t, process_counts> ProcessProbe::counts_by_cgroup() const {
  std::map<std::uint64_t, process_counts> out;
  if (!loaded()) return out;
  const bpf_map* counts = skeleton_->maps.counts;
  for_each_key(counts, sizeof(std::uint64_t), [&](const void* raw) {
    std::uint64_t cgroup_id = 0;
    std::memcpy(&cgroup_id, raw, sizeof cgroup_id);
    process_counts value{};
    if (bpf_map__lookup_elem(counts, &cgroup_id, sizeof cgroup_id, &value, sizeof value, 0) == 0) {
      out[cgroup_id] = value;
    }
  });
  return out;
}

process_counts ProcessProbe::totals() const {
  process_counts sum{};
  for (const auto& [cgroup_id, c] : counts_by_cgroup()) {
    sum.execs += c.execs;
    sum.exits_success += c.exits_success;
    sum.exits_failure += c.exits_failure;
    sum.exits_signal += c.exits_signal;
  }
  return sum;
}

void ProcessProbe::forget_cgroups(const std::vector<std::uint64_t>& cgroup_ids) {
  if (loaded()) delete_keys(skeleton_->maps.counts, cgroup_ids);
}

log2_hist ProcessProbe::lifetime() const {
  log2_hist hist{};
  std::uint32_t zero = 0;
  if (loaded()) read_percpu_hist(skeleton_->maps.lifetime, &zero, sizeof zero, hist);
  return hist;
}

namespace {

// Whether this kernel stamps every enqueue in task->sched_info.last_queued, and its BTF names
// what runqlat_switch_in reads.
bool sched_info_stamps_enqueues(const LoadOptions& options, const std::string& schedstat_path) {
  if (options.runqueue_method != LoadOptions::RunqueueMethod::automatic) return false;
  if (!options.kernel_btf) return false;
  const btf& kernel = *options.kernel_btf;
  if (!btf_has_member(kernel, "task_struct", "sched_info") ||
      !btf_has_member(kernel, "sched_info", "last_queued") ||
      !btf_has_member(kernel, "task_struct", "se") ||
      !btf_has_member(kernel, "sched_entity", "cfs_rq") ||  // CONFIG_FAIR_GROUP_SCHED
      !btf_has_member(kernel, "cfs_rq", "rq") || !btf_has_member(kernel, "rq", "clock")) {
    return false;
  }
  // Before Linux 5.14 the scheduler stamped tasks only while delay accounting or schedstats were
  // on; it always does where it counts timeslices: "<on-CPU ns> <run delay ns> <timeslices>".
  std::string text;
  int error = 0;
  if (!try_read_file(schedstat_path, text, error, 4096)) return false;
  auto fields = split_fields(text);
  auto timeslices = fields.size() >= 3 ? parse_uint(fields[2]) : std::nullopt;
  return timeslices && *timeslices > 0;
}

}  // namespace

RunqlatProbe::RunqlatProbe(const LoadOptions& options) : BpfProbe("runqlat") {
  auto opts = open_options(options);
  skeleton_ = runqlat_bpf::open(&opts);
  adopt(skeleton_ ? skeleton_->obj : nullptr, [s = skeleton_] { runqlat_bpf::destroy(s); });
  if (skeleton_ == nullptr) return;
  if (sched_info_stamps_enqueues(options, "/proc/self/schedstat")) {
    method_ = Method::sched_info;
    for (const char* name : {"runqlat_wakeup", "runqlat_wakeup_new", "runqlat_switch"}) {
      skip_program(name);
    }
    bool tp_btf = options.use_tp_btf && kernel_has_tp_btf(*options.kernel_btf);
    skip_program(tp_btf ? "runqlat_switch_in" : "runqlat_switch_in_btf");
    bpf_map__set_max_entries(skeleton_->maps.enqueued, 1);  // unused
  } else {
    method_ = Method::wakeups;
    skip_program("runqlat_switch_in");
    skip_program("runqlat_switch_in_btf");
    if (options.kernel_btf) {
      // (bool preempt, prev, next) and, since Linux 5.18, unsigned int prev_state.
      auto args = raw_tracepoint_args(*options.kernel_btf, "sched_switch");
      skeleton_->rodata->switch_passes_prev_state = args.size() >= 4 && !args[3];
    }
  }
  if (!load(options)) return;
  attach(options);
}

log2_hist RunqlatProbe::latency() const {
  log2_hist hist{};
  std::uint32_t zero = 0;
  if (loaded()) read_percpu_hist(skeleton_->maps.latency, &zero, sizeof zero, hist);
  return hist;
}

BiolatProbe::BiolatProbe(const LoadOptions& options) : BpfProbe("biolat") {
  auto opts = open_options(options);
  skeleton_ = biolat_bpf::open(&opts);
  adopt(skeleton_ ? skeleton_->obj : nullptr, [s = skeleton_] { biolat_bpf::destroy(s); });
  if (skeleton_ == nullptr) return;
  if (options.kernel_btf) {
    // (struct request_queue *, struct request *) before Linux 5.11, (struct request *) since.
    auto args = raw_tracepoint_args(*options.kernel_btf, "block_rq_issue");
    skeleton_->rodata->issue_request_arg = args.size() >= 2 ? 1 : 0;
  }
  if (options.block_devices > 0) {
    // Every op of every disk, with room for a few disks plugged in later.
    unsigned keys = std::clamp((options.block_devices + 8) * 5, 64U, unsigned{BIOLAT_MAX_KEYS});
    bpf_map__set_max_entries(skeleton_->maps.latency, keys);
  }
  if (!load(options)) return;
  attach(options);
}

std::vector<BiolatProbe::Entry> BiolatProbe::latency() const {
  std::vector<Entry> out;
  if (!loaded()) return out;
  const bpf_map* latency = skeleton_->maps.latency;
  for_each_key(latency, sizeof(biolat_key), [&](const void* raw) {
    Entry entry{};
    std::memcpy(&entry.key, raw, sizeof entry.key);
    if (read_percpu_hist(latency, &entry.key, sizeof entry.key, entry.hist)) {
      out.push_back(entry);
    }
  });
  return out;
}

OomkillProbe::OomkillProbe(const LoadOptions& options) : BpfProbe("oomkill") {
  auto opts = open_options(options);
  skeleton_ = oomkill_bpf::open(&opts);
  adopt(skeleton_ ? skeleton_->obj : nullptr, [s = skeleton_] { oomkill_bpf::destroy(s); });
  if (skeleton_ == nullptr) return;
  skeleton_->rodata->cgroup_v1_memory = options.cgroup_v1_memory;
  if (options.kernel_btf) {
    auto args = raw_tracepoint_args(*options.kernel_btf, "mark_victim");
    skeleton_->rodata->mark_victim_passes_task = !args.empty() && args[0];
  }
  if (!load(options)) return;
  create_overflow_key<std::uint64_t, std::uint64_t>(skeleton_->maps.kills);
  attach(options);
}

std::map<std::uint64_t, std::uint64_t> OomkillProbe::kills_by_cgroup() const {
  std::map<std::uint64_t, std::uint64_t> out;
  if (!loaded()) return out;
  for (const auto& [cgroup_id, count] : read_counters<std::uint64_t>(skeleton_->maps.kills)) {
    out[cgroup_id] = count;
  }
  return out;
}

std::uint64_t OomkillProbe::total() const {
  std::uint64_t sum = 0;
  for (const auto& [cgroup_id, count] : kills_by_cgroup()) sum += count;
  return sum;
}

void OomkillProbe::forget_cgroups(const std::vector<std::uint64_t>& cgroup_ids) {
  if (loaded()) delete_keys(skeleton_->maps.kills, cgroup_ids);
}

TcpretransProbe::TcpretransProbe(const LoadOptions& options) : BpfProbe("tcpretrans") {
  auto opts = open_options(options);
  skeleton_ = tcpretrans_bpf::open(&opts);
  adopt(skeleton_ ? skeleton_->obj : nullptr, [s = skeleton_] { tcpretrans_bpf::destroy(s); });
  if (skeleton_ == nullptr || !load(options)) return;
  create_overflow_key<tcpretrans_key, std::uint64_t>(skeleton_->maps.retransmits);
  attach(options);
}

std::vector<TcpretransProbe::Entry> TcpretransProbe::retransmits() const {
  std::vector<Entry> out;
  if (!loaded()) return out;
  for (const auto& [key, count] : read_counters<tcpretrans_key>(skeleton_->maps.retransmits)) {
    out.push_back({key, count});
  }
  return out;
}

std::uint64_t TcpretransProbe::total() const {
  std::uint64_t sum = 0;
  for (const auto& entry : retransmits()) sum += entry.count;
  return sum;
}

void TcpretransProbe::forget(const std::vector<tcpretrans_key>& keys) {
  if (loaded()) delete_keys(skeleton_->maps.retransmits, keys);
}

}  // namespace nodeprobe::ebpf

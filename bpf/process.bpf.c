/* Process lifecycle: execs, process exits by outcome and a histogram of process lifetimes, so
 * that jobs which start and end between two scrapes are seen. Counters are kept per cgroup id
 * for attribution to workloads. */
#include "bpf/process.h"

#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load (the verifier then prunes the branch not taken). */
const volatile bool cgroup_v1_memory = false;

/* A plain hash with atomic adds rather than a per-CPU one: execs and exits are rare next to
 * scheduler events, and a per-CPU hash would preallocate every cgroup's counters once per CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, PROCESS_MAX_CGROUPS);
  __type(key, __u64);
  __type(value, struct process_counts);
} counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct log2_hist);
} lifetime SEC(".maps");

static __always_inline struct process_counts* counts_of(__u64 cgroup_id) {
  struct process_counts* c = bpf_map_lookup_elem(&counts, &cgroup_id);
  if (c) return c;
  struct process_counts zero = {};
  /* EEXIST (another CPU won the race) is fine; E2BIG (map full) falls back to key 0, which
   * the loader creates before attaching. */
  bpf_map_update_elem(&counts, &cgroup_id, &zero, BPF_NOEXIST);
  c = bpf_map_lookup_elem(&counts, &cgroup_id);
  if (c) return c;
  __u64 overflow = 0;
  return bpf_map_lookup_elem(&counts, &overflow);
}

/* sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm): fires
 * only for an exec that succeeded, in the context of the task itself. */
SEC("raw_tp/sched_process_exec")
int process_exec(struct bpf_raw_tracepoint_args* ctx) {
  struct process_counts* c = counts_of(current_cgroup_id(cgroup_v1_memory));
  if (c) __sync_fetch_and_add(&c->execs, 1);
  return 0;
}

/* sched_process_exit(struct task_struct *p[, bool group_dead]) fires for every exiting thread,
 * after do_exit() has set exit_code and decremented signal->live. The process has ended when
 * the last thread goes: that thread's exit_code is the process's (exit_group() and fatal
 * signals give every thread the group's code). */
SEC("raw_tp/sched_process_exit")
int process_exit(struct bpf_raw_tracepoint_args* ctx) {
  struct task_struct* task = (struct task_struct*)ctx->args[0];
  if (BPF_CORE_READ(task, signal, live.counter) != 0) return 0;

  int code = BPF_CORE_READ(task, exit_code);
  struct process_counts* c = counts_of(task_cgroup_id(task, cgroup_v1_memory));
  if (c) {
    if (code & 0x7f)
      __sync_fetch_and_add(&c->exits_signal, 1);
    else if ((code >> 8) & 0xff)
      __sync_fetch_and_add(&c->exits_failure, 1);
    else
      __sync_fetch_and_add(&c->exits_success, 1);
  }

  /* start_time is the group leader's fork time on the monotonic clock, as bpf_ktime_get_ns(). */
  __u64 started = BPF_CORE_READ(task, group_leader, start_time);
  __u64 now = bpf_ktime_get_ns();
  __u32 zero = 0;
  struct log2_hist* hist = bpf_map_lookup_elem(&lifetime, &zero);
  if (hist && now > started) log2_hist_add(hist, now - started);
  return 0;
}

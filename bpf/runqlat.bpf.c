/* Run-queue latency: how long a runnable task waits for a CPU, from the moment it is enqueued
 * (woken, newly forked, or preempted while still runnable) until it is switched in.
 *
 * Two ways to measure it; the loader picks one (bpf/probes.cpp) and loads only its programs:
 * - runqlat_switch_in_btf (or runqlat_switch_in on a kernel without tp_btf) alone, where the
 *   scheduler keeps its own accounting (CONFIG_SCHED_INFO, which delay accounting and
 *   /proc/<pid>/schedstat need, so distribution kernels have it):
 *   the scheduler stamps every enqueue in task->sched_info.last_queued and clears the stamp in
 *   context_switch(), after the sched_switch tracepoint. At that tracepoint the wait is the
 *   run queue's clock minus the stamp: one program, one event per switch, no map of our own.
 * - runqlat_wakeup, runqlat_wakeup_new and runqlat_switch elsewhere: stamp the task at each
 *   wakeup in a map of our own and take the stamp when it is switched in, as bcc's runqlat. */
#include "bpf/runqlat.h"

#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0

/* sched_switch passes prev's state as a fourth argument since Linux 5.18 (commit fa2c3254d7cf);
 * the loader sets this from BTF, and older kernels read it from the task. */
const volatile bool switch_passes_prev_state = false;

/* Enqueue time per thread. An array rather than a hash keyed by thread id: the verifier
 * inlines array lookups, and there is no lock, allocation or delete on the two hottest paths of
 * the scheduler. Two queued threads whose ids share an index overwrite each other; the one that
 * lost its slot is skipped when it runs (its tid no longer matches), one lost sample. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, RUNQLAT_QUEUE_SLOTS);
  __type(key, __u32);
  __type(value, struct runqlat_enqueued);
} enqueued SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct log2_hist);
} latency SEC(".maps");

/* Adds the wait from `since` to `now` to this CPU's histogram. */
static __always_inline void record_wait(__u64 since, __u64 now) {
  __u32 zero = 0;
  struct log2_hist* hist = bpf_map_lookup_elem(&latency, &zero);
  if (hist) log2_hist_add(hist, now > since ? now - since : 0);
}

/* The scheduler's stamps: sched_switch(bool preempt, struct task_struct *prev, struct
 * task_struct *next, ...) fires in __schedule() after update_rq_clock() and before
 * context_switch() clears next's stamp. A task moved to another CPU while it waited is stamped
 * again there (the scheduler counts the part before the move in run_delay at the move), so its
 * wait is counted from the move.
 *
 * next sits on this CPU's run queue, which its group's CFS queue there leads to (every task
 * has one with CONFIG_FAIR_GROUP_SCHED, whatever its class). A typed ksym for the per-CPU
 * runqueues would be shorter but needs CONFIG_KALLSYMS_ALL, which not every kernel has. */

/* Where the kernel has BTF-typed tracepoints (tp_btf, probed by the loader): plain loads,
 * which the verifier makes fault-safe, instead of a helper call per pointer. */
SEC("tp_btf/sched_switch")
int runqlat_switch_in_btf(__u64* ctx) {
  struct task_struct* next = (struct task_struct*)ctx[2];
  __u64 queued = next->sched_info.last_queued;
  if (queued == 0) return 0; /* the idle task, or a task with no wait to count */
  record_wait(queued, next->se.cfs_rq->rq->clock);
  return 0;
}

/* The same through bpf_probe_read_kernel, for kernels without tp_btf. */
SEC("raw_tp/sched_switch")
int runqlat_switch_in(struct bpf_raw_tracepoint_args* ctx) {
  struct task_struct* next = (struct task_struct*)ctx->args[2];
  __u64 queued = BPF_CORE_READ(next, sched_info.last_queued);
  if (queued == 0) return 0;
  record_wait(queued, BPF_CORE_READ(next, se.cfs_rq, rq, clock));
  return 0;
}

/* The wakeup method's programs. */

static __always_inline void enqueue(__u32 tid, __u64 now) {
  if (tid == 0) return; /* the idle task never waits */
  __u32 index = tid & (RUNQLAT_QUEUE_SLOTS - 1);
  struct runqlat_enqueued* slot = bpf_map_lookup_elem(&enqueued, &index);
  if (!slot) return;
  slot->tid = tid;
  slot->at_ns = now;
}

static __always_inline void enqueue_task(struct task_struct* task) {
  enqueue(BPF_CORE_READ(task, pid), bpf_ktime_get_ns());
}

static __always_inline long task_state(struct task_struct* task) {
  if (bpf_core_field_exists(task->__state)) return BPF_CORE_READ(task, __state);
  struct task_struct___pre_5_14* old = (void*)task;
  return BPF_CORE_READ(old, state);
}

/* sched_wakeup(struct task_struct *p) */
SEC("raw_tp/sched_wakeup")
int runqlat_wakeup(struct bpf_raw_tracepoint_args* ctx) {
  enqueue_task((struct task_struct*)ctx->args[0]);
  return 0;
}

/* sched_wakeup_new(struct task_struct *p): a new task's first enqueue. */
SEC("raw_tp/sched_wakeup_new")
int runqlat_wakeup_new(struct bpf_raw_tracepoint_args* ctx) {
  enqueue_task((struct task_struct*)ctx->args[0]);
  return 0;
}

/* sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next[, unsigned int
 * prev_state]). It fires in prev, so prev's thread id is the current one. */
SEC("raw_tp/sched_switch")
int runqlat_switch(struct bpf_raw_tracepoint_args* ctx) {
  bool preempt = ctx->args[0] != 0;
  struct task_struct* next = (struct task_struct*)ctx->args[2];
  __u64 now = bpf_ktime_get_ns();

  /* A task switched out while runnable stays on the run queue and starts waiting again. A
   * preempted task counts as runnable even when it had set a sleeping state: it was preempted
   * before it could sleep, and the scheduler leaves it queued. */
  if (preempt) {
    enqueue((__u32)bpf_get_current_pid_tgid(), now);
  } else {
    long state = switch_passes_prev_state ? (long)ctx->args[3]
                                          : task_state((struct task_struct*)ctx->args[1]);
    if (state == TASK_RUNNING) enqueue((__u32)bpf_get_current_pid_tgid(), now);
  }

  __u32 tid = BPF_CORE_READ(next, pid);
  __u32 index = tid & (RUNQLAT_QUEUE_SLOTS - 1);
  struct runqlat_enqueued* slot = bpf_map_lookup_elem(&enqueued, &index);
  if (!slot || slot->tid != tid || slot->at_ns == 0) return 0;
  __u64 since = slot->at_ns;
  slot->at_ns = 0; /* taken: a second switch-in without an enqueue must not count it again */
  record_wait(since, now);
  return 0;
}

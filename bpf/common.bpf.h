/* Helpers shared by the probes' kernel side. */
#ifndef NODEPROBE_BPF_COMMON_BPF_H
#define NODEPROBE_BPF_COMMON_BPF_H

/* kernel_types.bpf.h first: libbpf's headers expect the kernel types to be declared. */
// clang-format off
#include "bpf/kernel_types.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
// clang-format on

#include "bpf/log2_hist.h"

/* Adds one value to a per-CPU histogram (no atomics: this copy belongs to this CPU). */
static __always_inline void log2_hist_add(struct log2_hist* hist, __u64 value_ns) {
  __u32 slot = log2_hist_slot(value_ns);
  if (slot >= LOG2_HIST_SLOTS) return; /* the verifier wants the bound spelled out */
  hist->slots[slot]++;
  hist->sum_ns += value_ns;
}

/* The id of a task's cgroup, as user space sees it in the st_ino of the cgroup's directory.
 * On a cgroup v2 host that is the task's cgroup in the unified hierarchy; on v1 (and hybrid)
 * hosts, where the unified hierarchy is empty, the user side asks for the memory controller's
 * hierarchy instead (where container runtimes put each container). */
static __always_inline __u64 task_cgroup_id(struct task_struct* task, bool v1_memory) {
  struct cgroup* cgrp = 0;
  if (v1_memory && bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
    __u32 index = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
    struct css_set* cgroups = BPF_CORE_READ(task, cgroups);
    struct cgroup_subsys_state* css = 0;
    if (index >= 16) return 0;
    bpf_core_read(&css, sizeof(css), &cgroups->subsys[index]);
    cgrp = BPF_CORE_READ(css, cgroup);
  } else {
    cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
  }
  return cgrp ? BPF_CORE_READ(cgrp, kn, id) : 0;
}

static __always_inline __u64 current_cgroup_id(bool v1_memory) {
  if (!v1_memory) return bpf_get_current_cgroup_id();
  return task_cgroup_id((struct task_struct*)bpf_get_current_task(), true);
}

#endif

/* The few kernel types the probes read, declared by hand.
 *
 * preserve_access_index makes every field access a CO-RE relocation: libbpf rewrites the offsets
 * against the running kernel's BTF at load time, so the layouts below only have to name the
 * fields, not match any kernel. A generated vmlinux.h would need a kernel with BTF on the build
 * host; this header needs none (docs/ebpf.md). Types with a ___suffix are older layouts of the
 * same struct, tried with bpf_core_field_exists().
 */
#ifndef NODEPROBE_BPF_KERNEL_TYPES_BPF_H
#define NODEPROBE_BPF_KERNEL_TYPES_BPF_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
  int counter;
} atomic_t;

struct kernfs_node {
  __u64 id; /* a union with .ino/.generation before 5.5; same 64 bits */
};

struct cgroup {
  struct kernfs_node* kn;
};

struct cgroup_subsys_state {
  struct cgroup* cgroup;
};

struct css_set {
  struct cgroup_subsys_state* subsys[16];
  struct cgroup* dfl_cgrp;
};

/* Only the enumerator's name matters: its value comes from the kernel (bpf_core_enum_value). */
enum cgroup_subsys_id {
  memory_cgrp_id = 4,
};

struct signal_struct {
  atomic_t live;
};

/* The scheduler's own run-delay accounting (CONFIG_SCHED_INFO): when the task was last put on
 * a run queue, in that run queue's clock; zero once it runs. */
struct sched_info {
  unsigned long long last_queued;
};

/* A CPU's run queue; clock is what the scheduler stamps last_queued with. */
struct rq {
  __u64 clock;
};

/* With CONFIG_FAIR_GROUP_SCHED every task, whatever its class, points at the CFS run queue of
 * its group on its CPU (set_task_rq()), and that at the CPU's run queue. */
struct cfs_rq {
  struct rq* rq;
};

struct sched_entity {
  struct cfs_rq* cfs_rq;
};

struct task_struct {
  unsigned int __state;
  struct sched_info sched_info;
  struct sched_entity se;
  int exit_code;
  int pid;
  int tgid;
  struct task_struct* group_leader;
  __u64 start_time;
  struct signal_struct* signal;
  struct css_set* cgroups;
};

/* Linux < 5.14 called the scheduler state "state" (commit 2f064a59a11f renamed it). */
struct task_struct___pre_5_14 {
  long state;
};

struct gendisk {
  int major;
  int first_minor;
};

struct request_queue {
  struct gendisk* disk;
};

struct request {
  struct request_queue* q;
  unsigned int cmd_flags;
};

/* Older kernels (up to 5.16) kept the disk in the request itself. */
struct request___rq_disk {
  struct gendisk* rq_disk;
};

struct ns_common {
  unsigned int inum;
};

struct net {
  struct ns_common ns;
};

typedef struct {
  struct net* net;
} possible_net_t;

struct sock_common {
  possible_net_t skc_net;
};

/* Linux >= 5.15 keeps a plain cgroup pointer here; older kernels packed it into a tagged u64. */
struct sock_cgroup_data {
  struct cgroup* cgroup;
};

struct sock {
  struct sock_common __sk_common;
  struct sock_cgroup_data sk_cgrp_data;
};

#pragma clang attribute pop

#endif

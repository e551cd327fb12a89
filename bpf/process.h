/* Process lifecycle probe: what its maps hold, shared by process.bpf.c and the collector. */
#ifndef NODEPROBE_BPF_PROCESS_H
#define NODEPROBE_BPF_PROCESS_H

#include <linux/types.h>

/* Counters per cgroup id (the key, a __u64). Key 0 is where events go once the map is full. */
#define PROCESS_MAX_CGROUPS 16384

struct process_counts {
  __u64 execs;
  __u64 exits_success; /* exit code 0 */
  __u64 exits_failure; /* exit code 1..255 */
  __u64 exits_signal;  /* killed by a signal */
};

#endif

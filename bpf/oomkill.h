/* OOM kill probe: what its map holds, shared by oomkill.bpf.c and the collector. */
#ifndef NODEPROBE_BPF_OOMKILL_H
#define NODEPROBE_BPF_OOMKILL_H

#include <linux/types.h>

/* Victims counted per cgroup id (the key, a __u64; the value a __u64 count). Key 0 is where
 * kills go once the map is full. */
#define OOMKILL_MAX_CGROUPS 4096

#endif

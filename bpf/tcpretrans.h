/* TCP retransmit probe: what its map holds, shared by tcpretrans.bpf.c and the collector. */
#ifndef NODEPROBE_BPF_TCPRETRANS_H
#define NODEPROBE_BPF_TCPRETRANS_H

#include <linux/types.h>

/* Retransmitted segments per key (the value a __u64 count). The all-zero key is where they go
 * once the map is full. */
#define TCPRETRANS_MAX_KEYS 4096

/* Retransmits run from timers and softirqs, in whatever task happens to be current, so the
 * key comes from the socket: its network namespace (one per pod) and its cgroup v2 id. */
struct tcpretrans_key {
  __u64 cgroup_id;  /* 0 where the socket carries no cgroup (kernels before 5.15) */
  __u32 netns_inum; /* as in /proc/<pid>/ns/net */
  __u32 pad;
};

#endif

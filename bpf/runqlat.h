/* Run-queue latency probe: what its maps hold, shared by runqlat.bpf.c and the collector. */
#ifndef NODEPROBE_BPF_RUNQLAT_H
#define NODEPROBE_BPF_RUNQLAT_H

#include "bpf/log2_hist.h"

/* Enqueue times live in an array indexed by thread id modulo this power of two (1 MiB). */
#define RUNQLAT_QUEUE_SLOTS 65536

struct runqlat_enqueued {
  __u32 tid; /* whose time this is: another thread with the same index may have taken the slot */
  __u32 pad;
  __u64 at_ns;
};

#endif

/* Block I/O latency probe: what its maps hold, shared by biolat.bpf.c and the collector. */
#ifndef NODEPROBE_BPF_BIOLAT_H
#define NODEPROBE_BPF_BIOLAT_H

#include "bpf/log2_hist.h"

/* Requests in flight across all devices at one time (the issue-time map's size). */
#define BIOLAT_MAX_INFLIGHT 16384
/* (device, op) pairs with a histogram, at most: 5 ops for each of 200 disks. The loader sizes
 * the map from the disks the host has (each key costs 520 bytes per CPU, preallocated). */
#define BIOLAT_MAX_KEYS 1024

/* The request's operation, folded from REQ_OP_* into the four that matter plus the rest. */
enum biolat_op {
  BIOLAT_OP_READ = 0,
  BIOLAT_OP_WRITE = 1,
  BIOLAT_OP_FLUSH = 2,
  BIOLAT_OP_DISCARD = 3,
  BIOLAT_OP_OTHER = 4,
};

struct biolat_key {
  __u32 major; /* the whole disk's device number, as /proc/diskstats lists it */
  __u32 minor;
  __u32 op; /* enum biolat_op */
  __u32 pad;
};

#endif

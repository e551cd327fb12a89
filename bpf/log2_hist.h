/* A latency histogram in log2 slots of nanoseconds, as the kernel side fills it and the user
 * side reads it (one copy per CPU in a per-CPU map). Shared by the BPF programs and the C++
 * collector, so it is plain C.
 */
#ifndef NODEPROBE_BPF_LOG2_HIST_H
#define NODEPROBE_BPF_LOG2_HIST_H

#include <linux/types.h>

#define LOG2_HIST_SLOTS 64

/* Slot i counts values v with 2^(i-1) < v <= 2^i ns (slot 0: v <= 1 ns), so that 2^i ns is
 * exactly a Prometheus bucket's "le" bound. The last slot also takes everything above it. */
struct log2_hist {
  __u64 slots[LOG2_HIST_SLOTS];
  __u64 sum_ns; /* exact, for the histogram's _sum */
};

/* floor(log2(v)) for v > 0, by halving steps; plain C so that the BPF verifier and the unit
 * tests see the same code. */
static inline __u32 log2_hist_floor_log2(__u64 v) {
  __u32 r = 0;
  if (v >> 32) {
    v >>= 32;
    r += 32;
  }
  if (v >> 16) {
    v >>= 16;
    r += 16;
  }
  if (v >> 8) {
    v >>= 8;
    r += 8;
  }
  if (v >> 4) {
    v >>= 4;
    r += 4;
  }
  if (v >> 2) {
    v >>= 2;
    r += 2;
  }
  if (v >> 1) {
    r += 1;
  }
  return r;
}

/* The slot of a value in ns: ceil(log2(v)), capped at the last slot. */
static inline __u32 log2_hist_slot(__u64 v) {
  __u32 slot;
  if (v <= 1) return 0;
  slot = log2_hist_floor_log2(v - 1) + 1;
  return slot < LOG2_HIST_SLOTS ? slot : LOG2_HIST_SLOTS - 1;
}

#endif

/* Block I/O latency: time from a request's issue to the device until its completion, per disk
 * and operation. */
#include "bpf/biolat.h"

#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Linux 5.11 (commit a54895fa057c) dropped block_rq_issue's first argument, the request
 * queue; the loader reads the tracepoint's arguments from BTF and says where the request is. */
const volatile __u32 issue_request_arg = 0;

/* REQ_OP_* values, stable since Linux 4.10 (the op has been the low 8 bits of cmd_flags). */
#define REQ_OP_MASK 0xff
#define REQ_OP_READ 0
#define REQ_OP_WRITE 1
#define REQ_OP_FLUSH 2
#define REQ_OP_DISCARD 3
#define REQ_OP_SECURE_ERASE 5

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, BIOLAT_MAX_INFLIGHT);
  __type(key, __u64); /* struct request * */
  __type(value, __u64);
} issued_at SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, BIOLAT_MAX_KEYS);
  __type(key, struct biolat_key);
  __type(value, struct log2_hist);
} latency SEC(".maps");

/* A new key starts from this (too big for the BPF stack). */
static const struct log2_hist empty_hist;

static __always_inline struct gendisk* request_disk(struct request* rq) {
  struct request___rq_disk* old = (void*)rq;
  if (bpf_core_field_exists(old->rq_disk)) return BPF_CORE_READ(old, rq_disk);
  return BPF_CORE_READ(rq, q, disk);
}

static __always_inline __u32 fold_op(unsigned int cmd_flags) {
  switch (cmd_flags & REQ_OP_MASK) {
    case REQ_OP_READ:
      return BIOLAT_OP_READ;
    case REQ_OP_WRITE:
      return BIOLAT_OP_WRITE;
    case REQ_OP_FLUSH:
      return BIOLAT_OP_FLUSH;
    case REQ_OP_DISCARD:
    case REQ_OP_SECURE_ERASE:
      return BIOLAT_OP_DISCARD;
    default:
      return BIOLAT_OP_OTHER;
  }
}

/* block_rq_issue(struct request *rq), or (struct request_queue *q, struct request *rq) before
 * Linux 5.11. */
SEC("raw_tp/block_rq_issue")
int biolat_issue(struct bpf_raw_tracepoint_args* ctx) {
  __u64 rq = issue_request_arg == 1 ? ctx->args[1] : ctx->args[0];
  __u64 now = bpf_ktime_get_ns();
  bpf_map_update_elem(&issued_at, &rq, &now, BPF_ANY);
  return 0;
}

/* block_rq_complete(struct request *rq, blk_status_t error, unsigned int nr_bytes). A request
 * completed in parts fires once per part; the first one ends its latency. */
SEC("raw_tp/block_rq_complete")
int biolat_complete(struct bpf_raw_tracepoint_args* ctx) {
  __u64 rq_addr = ctx->args[0];
  __u64* since = bpf_map_lookup_elem(&issued_at, &rq_addr);
  if (!since) return 0;
  __u64 now = bpf_ktime_get_ns();
  __u64 took = now > *since ? now - *since : 0;
  bpf_map_delete_elem(&issued_at, &rq_addr);

  struct request* rq = (struct request*)rq_addr;
  struct gendisk* disk = request_disk(rq);
  struct biolat_key key = {};
  if (disk) {
    key.major = BPF_CORE_READ(disk, major);
    key.minor = BPF_CORE_READ(disk, first_minor);
  }
  key.op = fold_op(BPF_CORE_READ(rq, cmd_flags));

  struct log2_hist* hist = bpf_map_lookup_elem(&latency, &key);
  if (!hist) {
    bpf_map_update_elem(&latency, &key, &empty_hist, BPF_NOEXIST);
    hist = bpf_map_lookup_elem(&latency, &key);
    if (!hist) return 0;
  }
  log2_hist_add(hist, took);
  return 0;
}

/* TCP retransmits: every retransmitted segment, counted by the socket's network namespace and
 * cgroup. Counts what /proc/net/snmp's RetransSegs counts, with attribution. */
#include "bpf/tcpretrans.h"

#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, TCPRETRANS_MAX_KEYS);
  __type(key, struct tcpretrans_key);
  __type(value, __u64);
} retransmits SEC(".maps");

static __always_inline __u64 socket_cgroup_id(struct sock* sk) {
  if (!bpf_core_field_exists(sk->sk_cgrp_data)) return 0;
  if (!bpf_core_field_exists(struct sock_cgroup_data, cgroup)) return 0;
  struct cgroup* cgrp = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
  return cgrp ? BPF_CORE_READ(cgrp, kn, id) : 0;
}

/* tcp_retransmit_skb(const struct sock *sk, const struct sk_buff *skb, ...): newer kernels add
 * an argument after skb. */
SEC("raw_tp/tcp_retransmit_skb")
int tcpretrans_skb(struct bpf_raw_tracepoint_args* ctx) {
  struct sock* sk = (struct sock*)ctx->args[0];
  struct tcpretrans_key key = {};
  key.netns_inum = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  key.cgroup_id = socket_cgroup_id(sk);

  __u64* count = bpf_map_lookup_elem(&retransmits, &key);
  if (!count) {
    __u64 zero = 0;
    bpf_map_update_elem(&retransmits, &key, &zero, BPF_NOEXIST);
    count = bpf_map_lookup_elem(&retransmits, &key);
    if (!count) {
      struct tcpretrans_key overflow = {};
      count = bpf_map_lookup_elem(&retransmits, &overflow);
      if (!count) return 0;
    }
  }
  __sync_fetch_and_add(count, 1);
  return 0;
}

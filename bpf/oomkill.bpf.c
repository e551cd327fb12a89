/* OOM kills: each task the OOM killer chooses, counted by the victim's cgroup. */
#include "bpf/oomkill.h"

#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool cgroup_v1_memory = false;
/* mark_victim passed only the victim's pid up to Linux 6.8; later kernels pass its task_struct
 * (and uid). The loader reads which from BTF. With a pid only, the victim's cgroup is taken to be
 * the current task's: the OOM killer runs in the task whose allocation failed, which for a
 * cgroup's OOM is a task of the same memory cgroup. */
const volatile bool mark_victim_passes_task = true;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, OOMKILL_MAX_CGROUPS);
  __type(key, __u64);
  __type(value, __u64);
} kills SEC(".maps");

/* mark_victim(struct task_struct *task, uid_t uid), or mark_victim(int pid) up to 6.8. */
SEC("raw_tp/mark_victim")
int oomkill_victim(struct bpf_raw_tracepoint_args* ctx) {
  __u64 cgroup_id;
  if (mark_victim_passes_task)
    cgroup_id = task_cgroup_id((struct task_struct*)ctx->args[0], cgroup_v1_memory);
  else
    cgroup_id = current_cgroup_id(cgroup_v1_memory);

  __u64* count = bpf_map_lookup_elem(&kills, &cgroup_id);
  if (!count) {
    __u64 zero = 0;
    bpf_map_update_elem(&kills, &cgroup_id, &zero, BPF_NOEXIST);
    count = bpf_map_lookup_elem(&kills, &cgroup_id);
    if (!count) {
      __u64 overflow = 0;
      count = bpf_map_lookup_elem(&kills, &overflow);
      if (!count) return 0;
    }
  }
  __sync_fetch_and_add(count, 1);
  return 0;
}

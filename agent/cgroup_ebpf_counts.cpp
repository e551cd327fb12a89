#include "agent/cgroup_ebpf_counts.h"

namespace nodeprobe {

CgroupEbpfCounts& cgroup_ebpf_counts() {
  static CgroupEbpfCounts counts;
  return counts;
}

}  // namespace nodeprobe

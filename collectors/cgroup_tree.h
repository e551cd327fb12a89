#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "agent/host_paths.h"

namespace nodeprobe {

// A mounted cgroup hierarchy under <sysfs>/fs/cgroup and what it is read for.
struct CgroupHierarchy {
  std::string root;
  bool v2 = false;           // cgroup2 with its controllers: everything is read there
  bool v2_pressure = false;  // the unified hierarchy of a hybrid host: PSI only
  bool memory = false;       // v1 controllers
  bool cpuacct = false;
  bool cpu = false;
  bool blkio = false;
};

// The hierarchies of this host: one cgroup2 root (<sysfs>/fs/cgroup/cgroup.controllers exists),
// or the v1 controllers' directories (cpu and cpuacct separate or co-mounted as cpu,cpuacct,
// walked once) plus the unified hierarchy of a hybrid host. Empty when there are none.
std::vector<CgroupHierarchy> cgroup_hierarchies(const HostPaths& paths);

// The root of the v2 hierarchy (pure v2 or hybrid's unified), or empty.
std::string cgroup_v2_root(const HostPaths& paths);
// The root of the v1 memory hierarchy, or empty.
std::string cgroup_v1_memory_root(const HostPaths& paths);

// Calls visit(relative path, inode) for every directory beneath root (not root itself), depth
// first; visit returns whether to look beneath that directory. On cgroupfs the inode is the
// cgroup's id, what bpf_get_current_cgroup_id() returns. Directories that vanish mid-walk (a
// container ending) are skipped; depth is bounded.
void walk_cgroups(
    const std::string& root,
    const std::function<bool(const std::string& relative, std::uint64_t inode)>& visit);

// The ids (inode numbers) of every cgroup in the hierarchy at root, the root's own included;
// empty when root cannot be read.
std::unordered_set<std::uint64_t> cgroup_ids(const std::string& root);

}  // namespace nodeprobe

// Finding the cgroup hierarchies and walking them (collectors/cgroup_tree.h).
#include "collectors/cgroup_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include <cstdlib>

#include "agent/read_file.h"

namespace nodeprobe {
namespace {

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string real(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) != nullptr ? std::string(buffer) : path;
}

// The first of the candidate directories that holds the controller's marker file.
std::string controller_root(const std::string& base, std::initializer_list<const char*> dirs,
                            const char* marker) {
  for (const char* dir : dirs) {
    std::string root = base + "/" + dir;
    if (exists(root + "/" + marker)) return root;
  }
  return {};
}

constexpr int kMaxDepth = 32;

}  // namespace

std::string cgroup_v2_root(const HostPaths& paths) {
  std::string base = paths.sys("fs/cgroup");
  if (exists(base + "/cgroup.controllers")) return base;
  if (exists(base + "/unified/cgroup.controllers")) return base + "/unified";
  return {};
}

std::string cgroup_v1_memory_root(const HostPaths& paths) {
  std::string base = paths.sys("fs/cgroup");
  if (exists(base + "/cgroup.controllers")) return {};
  return controller_root(base, {"memory"}, "memory.usage_in_bytes");
}

std::vector<CgroupHierarchy> cgroup_hierarchies(const HostPaths& paths) {
  std::string base = paths.sys("fs/cgroup");
  std::vector<CgroupHierarchy> out;
  if (exists(base + "/cgroup.controllers")) {
    out.push_back({.root = base, .v2 = true});
    return out;
  }
  auto add = [&](const std::string& root, bool CgroupHierarchy::*role) {
    if (root.empty()) return;
    std::string resolved = real(root);
    for (auto& h : out) {
      if (real(h.root) == resolved) {
        h.*role = true;
        return;
      }
    }
    CgroupHierarchy h{.root = root};
    h.*role = true;
    out.push_back(std::move(h));
  };
  add(cgroup_v1_memory_root(paths), &CgroupHierarchy::memory);
  add(controller_root(base, {"cpuacct", "cpu,cpuacct", "cpuacct,cpu"}, "cpuacct.usage"),
      &CgroupHierarchy::cpuacct);
  add(controller_root(base, {"cpu", "cpu,cpuacct", "cpuacct,cpu"}, "cpu.shares"),
      &CgroupHierarchy::cpu);
  add(controller_root(base, {"blkio"}, "blkio.reset_stats"), &CgroupHierarchy::blkio);
  if (!out.empty() && exists(base + "/unified/cgroup.controllers")) {
    out.push_back({.root = base + "/unified", .v2_pressure = true});
  }
  return out;
}

void walk_cgroups(
    const std::string& root,
    const std::function<bool(const std::string& relative, std::uint64_t inode)>& visit) {
  struct Pending {
    std::string relative;
    int depth;
  };
  std::vector<Pending> stack{{"", 0}};
  while (!stack.empty()) {
    Pending current = std::move(stack.back());
    stack.pop_back();
    std::string dir_path = current.relative.empty() ? root : root + "/" + current.relative;
    int err = 0;
    // A directory that cannot be listed is skipped: gone since it was listed.
    for_each_entry(
        dir_path,
        [&](const DirEntry& e) {
          if (e.name.starts_with('.')) return;
          bool is_dir = e.type == DT_DIR;
          if (e.type == DT_UNKNOWN) {
            struct stat st;
            std::string path = dir_path + "/" + std::string(e.name);
            is_dir = ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
          }
          if (!is_dir) return;
          std::string relative = current.relative.empty()
                                     ? std::string(e.name)
                                     : current.relative + "/" + std::string(e.name);
          if (visit(relative, e.inode) && current.depth + 1 < kMaxDepth) {
            stack.push_back({std::move(relative), current.depth + 1});
          }
        },
        err);
  }
}

std::unordered_set<std::uint64_t> cgroup_ids(const std::string& root) {
  std::unordered_set<std::uint64_t> ids;
  struct stat st;
  if (root.empty() || ::stat(root.c_str(), &st) != 0) return ids;
  ids.insert(st.st_ino);
  walk_cgroups(root, [&](const std::string&, std::uint64_t inode) {
    ids.insert(inode);
    return true;
  });
  return ids;
}

}  // namespace nodeprobe

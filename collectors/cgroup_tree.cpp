// Finding the cgroup hierarchies and walking them (collectors/cgroup_tree.h).
#include "collectors/cgroup_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include <cstdlib>

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
    DIR* dir = ::opendir(dir_path.c_str());
    if (dir == nullptr) continue;  // gone since it was listed
    while (const dirent* e = ::readdir(dir)) {
      if (e->d_name[0] == '.') continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st;
        is_dir = ::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISDIR(st.st_mode);
      }
      if (!is_dir) continue;
      std::string relative =
          current.relative.empty() ? std::string(e->d_name) : current.relative + "/" + e->d_name;
      if (visit(relative, e->d_ino) && current.depth + 1 < kMaxDepth) {
        stack.push_back({std::move(relative), current.depth + 1});
      }
    }
    ::closedir(dir);
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

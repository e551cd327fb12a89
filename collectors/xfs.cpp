// node_xfs_*: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats (kernel 4.4+),
// as node_exporter 1.5.
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"
#include "collectors/xfs_stats.h"

namespace nodeprobe {
namespace {

struct XfsFamily {
  std::string_view name;
  std::string_view help;
  std::uint32_t (*value)(const XfsStats&);
};

#define XFS_FIELD(member, i) [](const XfsStats& s) { return s.member[i]; }

// node_exporter's names and HELP texts (from the XFS wiki's Runtime_Stats page). The read and
// write call counters are crossed on purpose: the kernel prints "rw <write> <read>", and
// node_exporter 1.5's read_calls_total takes the second value.
constexpr XfsFamily kFamilies[] = {
    {"extent_allocation_extents_allocated_total", "Number of extents allocated for a filesystem.",
     XFS_FIELD(extent_alloc, 0)},
    {"extent_allocation_blocks_allocated_total", "Number of blocks allocated for a filesystem.",
     XFS_FIELD(extent_alloc, 1)},
    {"extent_allocation_extents_freed_total", "Number of extents freed for a filesystem.",
     XFS_FIELD(extent_alloc, 2)},
    {"extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem.",
     XFS_FIELD(extent_alloc, 3)},
    {"allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem.",
     XFS_FIELD(abt, 0)},
    {"allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem.",
     XFS_FIELD(abt, 1)},
    {"allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem.", XFS_FIELD(abt, 2)},
    {"allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem.", XFS_FIELD(abt, 3)},
    {"block_mapping_reads_total", "Number of block map for read operations for a filesystem.",
     XFS_FIELD(blk_map, 0)},
    {"block_mapping_writes_total", "Number of block map for write operations for a filesystem.",
     XFS_FIELD(blk_map, 1)},
    {"block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem.",
     XFS_FIELD(blk_map, 2)},
    {"block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem.", XFS_FIELD(blk_map, 3)},
    {"block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem.", XFS_FIELD(blk_map, 4)},
    {"block_mapping_extent_list_lookups_total", "Number of extent list lookups for a filesystem.",
     XFS_FIELD(blk_map, 5)},
    {"block_mapping_extent_list_compares_total", "Number of extent list compares for a filesystem.",
     XFS_FIELD(blk_map, 6)},
    {"block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem.",
     XFS_FIELD(bmbt, 0)},
    {"block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem.",
     XFS_FIELD(bmbt, 1)},
    {"block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem.", XFS_FIELD(bmbt, 2)},
    {"block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem.", XFS_FIELD(bmbt, 3)},
    {"directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name "
     "lookup cache.",
     XFS_FIELD(dir, 0)},
    {"directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem.", XFS_FIELD(dir, 1)},
    {"directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem.",
     XFS_FIELD(dir, 2)},
    {"directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem.",
     XFS_FIELD(dir, 3)},
    {"inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache.", XFS_FIELD(ig, 0)},
    {"inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache.",
     XFS_FIELD(ig, 1)},
    {"inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was "
     "being recycled.",
     XFS_FIELD(ig, 2)},
    {"inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it.",
     XFS_FIELD(ig, 3)},
    {"inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it "
     "had already been added by another process.",
     XFS_FIELD(ig, 4)},
    {"inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for "
     "another purpose.",
     XFS_FIELD(ig, 5)},
    {"inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode.", XFS_FIELD(ig, 6)},
    {"read_calls_total", "Number of read(2) system calls made to files in a filesystem.",
     XFS_FIELD(rw, 1)},
    {"write_calls_total", "Number of write(2) system calls made to files in a filesystem.",
     XFS_FIELD(rw, 0)},
    {"vnode_active_total", "Number of vnodes not on free lists for a filesystem.",
     XFS_FIELD(vnodes, 0)},
    {"vnode_allocate_total", "Number of times vn_alloc called for a filesystem.",
     XFS_FIELD(vnodes, 1)},
    {"vnode_get_total", "Number of times vn_get called for a filesystem.", XFS_FIELD(vnodes, 2)},
    {"vnode_hold_total", "Number of times vn_hold called for a filesystem.", XFS_FIELD(vnodes, 3)},
    {"vnode_release_total", "Number of times vn_rele called for a filesystem.",
     XFS_FIELD(vnodes, 4)},
    {"vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem.",
     XFS_FIELD(vnodes, 5)},
    {"vnode_remove_total", "Number of times vn_remove called for a filesystem.",
     XFS_FIELD(vnodes, 6)},
};

#undef XFS_FIELD

class XfsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    // node_exporter globs fs/xfs/*/stats/stats: no XFS mounted (or no XFS module) is no output
    // and a successful collection.
    std::string base = paths_.sys("fs/xfs");
    int err = 0;
    auto entries = list_directory(base, err);
    if (!entries) {
      if (err == ENOENT || err == ENOTDIR) return;
      throw FileError(base, err);
    }
    std::vector<std::pair<std::string, XfsStats>> filesystems;
    for (const auto& device : *entries) {
      std::string path = base + "/" + device + "/stats/stats";
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) continue;  // not a filesystem's directory
      // Every file is parsed before anything is emitted: procfs fails all of them on one.
      filesystems.emplace_back(device, parse_xfs_stats(read_file(path)));
    }
    for (const auto& [device, stats] : filesystems) {
      for (const auto& f : kFamilies) {
        sink.counter(std::string("node_xfs_") + std::string(f.name), f.help, f.value(stats),
                     {{"device", device}});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_xfs_collector() { return std::make_unique<XfsCollector>(); }

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// One md array as /proc/mdstat shows it (drivers/md/md.c, md_seq_show), read the way
// prometheus/procfs's parseMDStat reads it, so that node_md_* match node_exporter's.
struct MdArray {
  std::string name;
  // "active", "inactive", or while a sync runs "recovering", "resyncing" or "checking".
  std::string state;
  std::int64_t disks_active = 0;
  std::int64_t disks_total = 0;  // the disks the array requires
  std::int64_t disks_failed = 0;
  std::int64_t disks_spare = 0;
  std::int64_t blocks_total = 0;
  std::int64_t blocks_synced = 0;
};

class MdstatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the whole file; throws MdstatError on a line it cannot read, as procfs fails the whole
// file (node_exporter then reports the collector as failed). An empty file has no arrays.
std::vector<MdArray> parse_mdstat(std::string_view text);

}  // namespace nodeprobe

// The storage and hardware collectors together (bcache, bcachefs, bonding, btrfs, mdadm, nvme,
// xfs, zfs): on by default as in node_exporter, and quiet on a host without the hardware.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/registry.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::fixture_paths;
using testing::TempDir;

TEST(StorageCollectors, OnByDefaultAsInNodeExporter) {
  // node_exporter 1.5's --help (bcachefs: its registerCollector call, defaultEnabled).
  for (const char* name :
       {"bcache", "bcachefs", "bonding", "btrfs", "mdadm", "nvme", "xfs", "zfs"}) {
    bool found = false;
    for (const auto& entry : collector_list()) {
      if (entry.name != name) continue;
      found = true;
      EXPECT_TRUE(entry.enabled_by_default) << name;
    }
    EXPECT_TRUE(found) << name << " is not in the collector list";
  }
}

TEST(StorageCollectors, QuietOnAHostWithoutTheHardware) {
  // What node_exporter 1.5 does on such a host: "no data" where it stats or lists a fixed path
  // (FeatureAbsent here), an empty successful collection where it globs.
  TempDir empty;
  auto paths = fixture_paths(empty.path());
  for (const char* name : {"bcachefs", "bonding", "mdadm", "nvme", "zfs"}) {
    EXPECT_THROW(CollectorHarness(name, paths).collect(), FeatureAbsent) << name;
  }
  for (const char* name : {"bcache", "btrfs", "xfs"}) {
    EXPECT_EQ(CollectorHarness(name, paths).collect(), "") << name;
  }
}

}  // namespace
}  // namespace nodeprobe

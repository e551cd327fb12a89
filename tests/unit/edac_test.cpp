#include <gtest/gtest.h>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(EdacCollector, MatchesGolden) {
  // mc0 with two csrows, mc1 with DIMM directories only (newer EDAC drivers).
  expect_golden(collect_text("edac", fixture_paths("misc/host")), "misc/edac.golden");
}

TEST(EdacCollector, ControllerMissingACountFails) {
  TempDir tree;
  tree.write("sys/devices/system/edac/mc/mc0/ce_count", "0\n");
  EXPECT_THROW(collect_text("edac", fixture_paths(tree.path())), FileError);
}

TEST(EdacCollector, OnlyNumberedControllersAndRows) {
  TempDir tree;
  tree.write("sys/devices/system/edac/mc/power/control", "auto\n");
  tree.write("sys/devices/system/edac/mc/mcX/ce_count", "1\n");
  EXPECT_EQ(collect_text("edac", fixture_paths(tree.path())), "");
}

}  // namespace
}  // namespace nodeprobe

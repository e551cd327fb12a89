#include <gtest/gtest.h>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(DmiCollector, MatchesGolden) {
  // sys_vendor becomes system_vendor; chassis_type, modalias and uevent are not labels.
  expect_golden(collect_text("dmi", fixture_paths("misc/host")), "misc/dmi.golden");
}

TEST(DmiCollector, ReadOnceAsTheFirmwareDoesNotChange) {
  TempDir tree;
  tree.write("sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
  CollectorHarness dmi("dmi", fixture_paths(tree.path()));
  auto first = dmi.collect();
  EXPECT_NE(first.find("product_name=\"Standard PC (Q35 + ICH9, 2009)\""), std::string::npos)
      << first;
  tree.write("sys/class/dmi/id/product_name", "changed\n");
  EXPECT_EQ(dmi.collect(), first);
}

TEST(DmiCollector, InvalidUtf8IsReplaced) {
  TempDir tree;
  tree.write("sys/class/dmi/id/board_vendor", "ACME\xff\n");
  auto text = collect_text("dmi", fixture_paths(tree.path()));
  EXPECT_NE(text.find("board_vendor=\"ACME\xef\xbf\xbd\""), std::string::npos) << text;
}

}  // namespace
}  // namespace nodeprobe

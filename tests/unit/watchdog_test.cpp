#include <gtest/gtest.h>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(WatchdogCollector, MatchesGolden) {
  // iTCO_wdt with the attributes it has, softdog with a pretimeout governor.
  expect_golden(collect_text("watchdog", fixture_paths("misc/host")), "misc/watchdog.golden");
}

TEST(WatchdogCollector, DeviceWithoutAttributesHasEmptyInfoLabels) {
  TempDir tree;
  tree.write("sys/class/watchdog/watchdog0/dev", "246:0\n");
  EXPECT_EQ(collect_text("watchdog", fixture_paths(tree.path())),
            "# HELP node_watchdog_info Info of /sys/class/watchdog/<watchdog>\n"
            "# TYPE node_watchdog_info gauge\n"
            "node_watchdog_info{identity=\"\",name=\"watchdog0\",options=\"\","
            "pretimeout_governor=\"\",state=\"\",status=\"\"} 1\n");
}

TEST(WatchdogCollector, GarbageNumberFails) {
  TempDir tree;
  tree.write("sys/class/watchdog/watchdog0/timeout", "thirty\n");
  EXPECT_THROW(collect_text("watchdog", fixture_paths(tree.path())), std::runtime_error);
}

}  // namespace
}  // namespace nodeprobe

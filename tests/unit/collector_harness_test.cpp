#include "tests/unit/collector_harness.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(CollectorHarness, FixturePathsPointIntoTheTree) {
  auto paths = fixture_paths("host");
  EXPECT_EQ(paths.proc("stat"), std::string(NODEPROBE_FIXTURES) + "/host/proc/stat");
  EXPECT_EQ(paths.sys("devices"), std::string(NODEPROBE_FIXTURES) + "/host/sys/devices");
  EXPECT_EQ(paths.root("etc/os-release"),
            std::string(NODEPROBE_FIXTURES) + "/host/root/etc/os-release");
  EXPECT_EQ(fixture_paths("/tmp/x").procfs, "/tmp/x/proc");
}

TEST(CollectorHarness, UnknownCollectorAndBadFlagsThrow) {
  EXPECT_THROW(CollectorHarness("no_such_collector", fixture_paths("host")), std::invalid_argument);
  EXPECT_THROW(CollectorHarness("loadavg", fixture_paths("host"), {"--collector.loadavg.x=1"}),
               CLI::ParseError);
}

TEST(CollectorHarness, KeepsTheInstanceBetweenScrapes) {
  TempDir tree;
  tree.write("proc/loadavg", "1.5 1 0.5 1/1 1\n");
  CollectorHarness loadavg("loadavg", fixture_paths(tree.path()));
  EXPECT_NE(loadavg.collect().find("node_load1 1.5\n"), std::string::npos);
  tree.write("proc/loadavg", "2.5 1 0.5 1/1 1\n");
  EXPECT_NE(loadavg.collect().find("node_load1 2.5\n"), std::string::npos);
  EXPECT_EQ(loadavg.families().size(), 3u);
}

TEST(CollectorHarness, GoldenUpdateRewritesTheFile) {
  TempDir dir;
  std::string golden = dir.path() + "/x.golden";
  const char* before = std::getenv("NODEPROBE_UPDATE_GOLDEN");
  std::string saved = before != nullptr ? before : "";
  ::setenv("NODEPROBE_UPDATE_GOLDEN", "1", 1);
  expect_golden("a 1\n", golden);
  if (before != nullptr) {
    ::setenv("NODEPROBE_UPDATE_GOLDEN", saved.c_str(), 1);
  } else {
    ::unsetenv("NODEPROBE_UPDATE_GOLDEN");
  }
  std::ifstream in(golden);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), "a 1\n");
  if (before == nullptr) expect_golden("a 1\n", golden);  // compares once the variable is gone
}

}  // namespace
}  // namespace nodeprobe

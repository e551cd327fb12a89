// The network collectors on broken fixture trees: every file empty, cut mid-line, or garbage
// (tests/fixtures/net/broken/<variant>), and a tree with no files at all. A collector may fail
// (the framework reports node_scrape_collector_success 0) or emit what it could parse; it never
// crashes and never emits invalid output. The goldens freeze which it does.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

struct Run {
  std::string collector;
  std::vector<std::string> args;
};

// Every option that makes a collector read or report more.
const std::vector<Run> kRuns = {
    {"arp", {}},
    {"conntrack", {}},
    {"netclass", {}},
    {"netdev", {"--no-collector.netdev.netlink", "--collector.netdev.device-exclude=^$"}},
    {"netstat", {"--collector.netstat.fields=.*"}},
    {"sockstat", {}},
    {"softnet", {}},
    {"udp_queues", {}},
};

std::string outcome(const Run& run, const HostPaths& paths) {
  return describe_run(run.collector, paths, run.args);
}

class NetBrokenTree : public ::testing::TestWithParam<const char*> {};

TEST_P(NetBrokenTree, CollectorsFailOrEmitWhatParsed) {
  std::string variant = GetParam();
  std::string all;
  for (const auto& run : kRuns) all += outcome(run, fixture_paths("net/broken/" + variant));
  expect_golden(all, "net/broken/" + variant + ".golden");
}

INSTANTIATE_TEST_SUITE_P(Variants, NetBrokenTree,
                         ::testing::Values("empty", "truncated", "garbage"));

TEST(NetMissingFiles, AbsentFeatureOrError) {
  // Without the conntrack module, IPv4/IPv6, or /sys/class/net, the feature is absent; the
  // files every Linux kernel has are errors when missing.
  const std::map<std::string, bool> absent = {
      {"arp", false},     {"conntrack", true}, {"netclass", true}, {"netdev", false},
      {"netstat", false}, {"sockstat", true},  {"softnet", false}, {"udp_queues", true},
  };
  TempDir empty;
  for (const auto& run : kRuns) {
    CollectorHarness harness(run.collector, fixture_paths(empty.path()), run.args);
    try {
      harness.collect();
      ADD_FAILURE() << run.collector << " succeeded without its files";
    } catch (const FeatureAbsent& e) {
      EXPECT_TRUE(absent.at(run.collector)) << run.collector << ": " << e.what();
    } catch (const std::exception& e) {
      EXPECT_FALSE(absent.at(run.collector)) << run.collector << ": " << e.what();
      // The error names the file under the fixture root: nothing was read from the host.
      EXPECT_NE(std::string(e.what()).find(empty.path()), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace nodeprobe

#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;

TEST(TapestatsCollector, MatchesGolden) {
  std::string out;
  for (const char* state : {"healthy", "garbage", "empty_file", "missing_stats", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out += describe_run("tapestats", fixture_paths(std::string("hardware/tapestats/") + state));
  }
  out += describe_run("tapestats", fixture_paths("hardware/tapestats/healthy"),
                      {"--collector.tapestats.ignored-devices=^st[01]$"});
  expect_golden(out, "hardware/tapestats.golden");
}

TEST(TapestatsCollector, BadRegexIsAConfigError) {
  EXPECT_THROW(testing::CollectorHarness("tapestats", fixture_paths("hardware/tapestats/healthy"),
                                         {"--collector.tapestats.ignored-devices=("}),
               ConfigError);
}

}  // namespace
}  // namespace nodeprobe

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;

TEST(FibrechannelCollector, MatchesGolden) {
  // healthy: one port online with unimplemented (all-ones) counters left out, one port down
  // from a driver that exposes fewer attributes; then the failing trees.
  std::string out;
  for (const char* state :
       {"healthy", "garbage_counter", "empty_counter", "missing_statistics", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out +=
        describe_run("fibrechannel", fixture_paths(std::string("hardware/fibrechannel/") + state));
  }
  expect_golden(out, "hardware/fibrechannel.golden");
}

}  // namespace
}  // namespace nodeprobe

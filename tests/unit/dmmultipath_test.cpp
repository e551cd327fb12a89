#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;

TEST(DmMultipathCollector, MatchesGolden) {
  std::string out;
  for (const char* state :
       {"healthy", "garbage_size", "missing_path_state", "no_dm_uuid", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out += describe_run("dmmultipath", fixture_paths(std::string("hardware/dmmultipath/") + state));
  }
  expect_golden(out, "hardware/dmmultipath.golden");
}

}  // namespace
}  // namespace nodeprobe

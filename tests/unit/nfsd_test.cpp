#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;

// The server parser's own tests are in nfs_test.cpp, with the client's.
TEST(NfsdCollector, MatchesGolden) {
  std::string out;
  for (const char* state :
       {"healthy", "old_kernel", "empty", "truncated", "garbage", "unknown_line", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out += describe_run("nfsd", fixture_paths(std::string("hardware/nfsd/") + state));
  }
  expect_golden(out, "hardware/nfsd.golden");
}

}  // namespace
}  // namespace nodeprobe

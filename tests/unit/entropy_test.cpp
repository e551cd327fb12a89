#include <gtest/gtest.h>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(EntropyCollector, MatchesGolden) {
  expect_golden(collect_text("entropy", fixture_paths("misc/host")), "misc/entropy.golden");
}

TEST(EntropyCollector, NegativeOrOversizedValuesFail) {
  TempDir tree;
  tree.write("proc/sys/kernel/random/poolsize", "256\n");
  tree.write("proc/sys/kernel/random/entropy_avail", "-1\n");
  EXPECT_THROW(collect_text("entropy", fixture_paths(tree.path())), std::runtime_error);
  tree.write("proc/sys/kernel/random/entropy_avail", "99999999999999999999999\n");
  EXPECT_THROW(collect_text("entropy", fixture_paths(tree.path())), std::runtime_error);
}

TEST(EntropyCollector, LiveHostHasBothFamilies) {
  auto text = collect_text("entropy", HostPaths{});
  EXPECT_NE(text.find("# TYPE node_entropy_available_bits gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE node_entropy_pool_size_bits gauge\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace nodeprobe

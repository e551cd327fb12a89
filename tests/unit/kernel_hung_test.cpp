#include <gtest/gtest.h>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(KernelHungCollector, MatchesGolden) {
  expect_golden(collect_text("kernel_hung", fixture_paths("misc/host")), "misc/kernel_hung.golden");
}

TEST(KernelHungCollector, OlderKernelIsAbsentNotAFailure) {
  TempDir tree;
  tree.write("proc/sys/kernel/hung_task_timeout_secs", "120\n");  // before Linux 6.13
  EXPECT_THROW(collect_text("kernel_hung", fixture_paths(tree.path())), FeatureAbsent);
}

TEST(KernelHungCollector, HugeCountsParse) {
  TempDir tree;
  tree.write("proc/sys/kernel/hung_task_detect_count", "18446744073709551615\n");
  auto text = collect_text("kernel_hung", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_kernel_hung_task_detect_count 1.8446744073709552e+19\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace nodeprobe

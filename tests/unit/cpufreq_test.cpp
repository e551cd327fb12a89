#include <gtest/gtest.h>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(CpufreqCollector, MatchesGolden) {
  // cpu0 has every attribute, cpu1 lacks the root-only cpuinfo_cur_freq, cpu2 has no driver.
  expect_golden(collect_text("cpufreq", fixture_paths("misc/host")), "misc/cpufreq.golden");
}

TEST(CpufreqCollector, GovernorWithoutAvailableListEmitsNoGovernorFamily) {
  TempDir tree;
  tree.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "schedutil\n");
  tree.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "3000000\n");
  auto text = collect_text("cpufreq", fixture_paths(tree.path()));
  EXPECT_EQ(text,
            "# HELP node_cpu_scaling_frequency_hertz Current scaled CPU thread frequency in "
            "hertz.\n"
            "# TYPE node_cpu_scaling_frequency_hertz gauge\n"
            "node_cpu_scaling_frequency_hertz{cpu=\"0\"} 3e+09\n");
}

TEST(CpufreqCollector, NonNumericFrequencyFails) {
  TempDir tree;
  tree.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "<unknown>\n");
  EXPECT_THROW(collect_text("cpufreq", fixture_paths(tree.path())), std::runtime_error);
}

TEST(CpufreqCollector, IgnoresEntriesThatAreNotCpus) {
  TempDir tree;
  tree.write("sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq", "1\n");
  tree.write("sys/devices/system/cpu/cpuidle/current_driver", "intel_idle\n");
  tree.write("sys/devices/system/cpu/cpu0x/cpufreq/scaling_cur_freq", "1\n");
  EXPECT_EQ(collect_text("cpufreq", fixture_paths(tree.path())), "");
}

}  // namespace
}  // namespace nodeprobe

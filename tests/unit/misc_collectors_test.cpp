// The clock, scheduler and hardware collectors together (cpufreq, dmi, edac, entropy, hwmon,
// kernel_hung, powersupplyclass, schedstat, selinux, thermal_zone, timex, watchdog): their
// defaults match node_exporter's, they stay quiet on a host without the hardware, and they
// neither crash nor emit invalid output on broken trees (tests/fixtures/misc/broken/<variant>:
// every file of tests/fixtures/misc/host emptied, cut in half, or replaced with garbage).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/registry.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

// The file-reading collectors of this group (timex reads a system call instead).
const std::vector<std::string> kFileCollectors = {
    "cpufreq",          "dmi",       "edac",    "entropy",      "hwmon",   "kernel_hung",
    "powersupplyclass", "schedstat", "selinux", "thermal_zone", "watchdog"};

TEST(MiscCollectors, DefaultsMatchNodeExporter) {
  // node_exporter 1.5's --help for the older ones; its registerCollector() calls for watchdog
  // (defaultEnabled, 1.7) and kernel_hung (defaultDisabled, 1.10).
  const std::vector<std::pair<std::string, bool>> expected = {
      {"cpufreq", true},          {"dmi", true},       {"edac", true},
      {"entropy", true},          {"hwmon", true},     {"kernel_hung", false},
      {"powersupplyclass", true}, {"schedstat", true}, {"selinux", true},
      {"thermal_zone", true},     {"timex", true},     {"watchdog", true}};
  for (const auto& [name, enabled] : expected) {
    bool found = false;
    for (const auto& entry : collector_list()) {
      if (entry.name != name) continue;
      found = true;
      EXPECT_EQ(entry.enabled_by_default, enabled) << name;
    }
    EXPECT_TRUE(found) << name << " is not in the collector list";
  }
}

class MiscBrokenTree : public ::testing::TestWithParam<const char*> {};

TEST_P(MiscBrokenTree, CollectorsFailOrEmitWhatParsed) {
  std::string variant = GetParam();
  std::string all;
  for (const auto& c : kFileCollectors)
    all += describe_run(c, fixture_paths("misc/broken/" + variant));
  expect_golden(all, "misc/broken/" + variant + ".golden");
}

INSTANTIATE_TEST_SUITE_P(Variants, MiscBrokenTree,
                         ::testing::Values("empty", "truncated", "garbage"));

TEST(MiscCollectors, QuietOnAHostWithoutTheHardware) {
  // An empty tree: no /sys/class/*, no EDAC, no selinuxfs, no schedstat. Each collector does
  // what node_exporter does there: report no data (FeatureAbsent), or report nothing.
  TempDir empty;
  auto paths = fixture_paths(empty.path());
  const std::vector<std::string> absent = {
      "cpufreq", "dmi", "hwmon", "kernel_hung", "powersupplyclass", "schedstat", "watchdog"};
  for (const auto& c : absent) {
    EXPECT_THROW(CollectorHarness(c, paths).collect(), FeatureAbsent) << c;
  }
  EXPECT_EQ(CollectorHarness("edac", paths).collect(), "");
  EXPECT_EQ(CollectorHarness("thermal_zone", paths).collect(), "");
  EXPECT_EQ(CollectorHarness("selinux", paths).collect(),
            "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
            "# TYPE node_selinux_enabled gauge\n"
            "node_selinux_enabled 0\n");
  // entropy is in every kernel: its absence is an error, not a missing feature.
  try {
    CollectorHarness("entropy", paths).collect();
    ADD_FAILURE() << "entropy succeeded without its files";
  } catch (const FeatureAbsent& e) {
    ADD_FAILURE() << "entropy: " << e.what();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(empty.path()), std::string::npos) << e.what();
  }
}

TEST(MiscCollectors, EmptyClassDirectoriesReportNothing) {
  // The classes exist but hold no device, as on a VM (and on the machine these tests run on).
  TempDir tree;
  for (const char* dir :
       {"sys/class/hwmon", "sys/class/power_supply", "sys/class/watchdog", "sys/class/thermal",
        "sys/devices/system/edac/mc", "sys/devices/system/cpu/cpu0", "sys/class/dmi/id"}) {
    std::filesystem::create_directories(tree.path() + "/" + dir);
  }
  auto paths = fixture_paths(tree.path());
  for (const char* c :
       {"cpufreq", "edac", "hwmon", "powersupplyclass", "thermal_zone", "watchdog"}) {
    EXPECT_EQ(CollectorHarness(c, paths).collect(), "") << c;
  }
  // A DMI directory without a single attribute is node_exporter's ErrNoData.
  EXPECT_THROW(CollectorHarness("dmi", paths).collect(), FeatureAbsent);
}

}  // namespace
}  // namespace nodeprobe

#include "collectors/cpu.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;
using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

// proc(5) /proc/stat: the aggregate "cpu" line, then one line per CPU in USER_HZ ticks:
// user nice system idle iowait irq softirq steal guest guest_nice.
constexpr const char* kStat =
    "cpu  1207372 6258 384098 22101676 40763 1044 9123 0 3340 12\n"
    "cpu0 302811 1547 97102 5523844 10241 812 4312 0 0 0\n"
    "cpu1 298430 1621 95218 5531012 9987 95 1876 0 2210 0\n"
    "intr 61565463 9 0 0\n"
    "ctxt 172949273\n"
    "btime 1714032481\n";

CpuTimes cpu(std::string id, double user, double idle, double iowait) {
  CpuTimes t;
  t.cpu = std::move(id);
  t.seconds[0] = user;
  t.seconds[3] = idle;
  t.seconds[4] = iowait;
  return t;
}

TEST(ParseProcStatCpus, RealSample) {
  auto cpus = parse_proc_stat_cpus(kStat);
  ASSERT_EQ(cpus.size(), 2u);  // the aggregate line is not a CPU
  EXPECT_EQ(cpus[0].cpu, "0");
  EXPECT_DOUBLE_EQ(cpus[0].seconds[0], 3028.11);
  EXPECT_DOUBLE_EQ(cpus[0].seconds[3], 55238.44);
  EXPECT_DOUBLE_EQ(cpus[0].seconds[5], 8.12);
  EXPECT_EQ(cpus[1].cpu, "1");
  EXPECT_DOUBLE_EQ(cpus[1].seconds[8], 22.1);
  EXPECT_EQ(cpus[1].seconds[9], 0);
}

TEST(ParseProcStatCpus, OldKernelsWithoutGuestColumns) {
  // Linux 2.6.11 to 2.6.23 print eight values; guest and guest_nice stay zero.
  auto cpus = parse_proc_stat_cpus("cpu7 100 0 50 1000 2 0 1 0\n");
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cpu, "7");
  EXPECT_EQ(cpus[0].seconds[7], 0);
  EXPECT_EQ(cpus[0].seconds[8], 0);
  EXPECT_TRUE(parse_proc_stat_cpus("cpu7 100 0 50 1000 2 0 1\n").empty());
}

TEST(ParseProcStatCpus, EmptyAndTruncated) {
  EXPECT_TRUE(parse_proc_stat_cpus("").empty());
  EXPECT_TRUE(parse_proc_stat_cpus("\n").empty());
  auto cpus =
      parse_proc_stat_cpus("cpu0 302811 1547 97102 5523844 10241 812 4312 0 0 0\ncpu1 2984");
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cpu, "0");
}

TEST(ParseProcStatCpus, GarbageLinesAreSkipped) {
  auto cpus = parse_proc_stat_cpus(
      "\177ELF\x02\x01\x00\xff\xfe\n"
      "cpu0 1 2 3 4 5 6 7 x\n"
      "cpuX 1 2 3 4 5 6 7 8\n"
      "cpu1x 1 2 3 4 5 6 7 8\n"
      "cpu1 nan inf 1 2 3 4 5 6\n"
      "cpu2 -1 2 3 4 5 6 7 8\n"
      "cpu3 0x10 2 3 4 5 6 7 8\n"
      "cpu"
      "\ncpu4 1 2 3 4 5 6 7 8 9 10 11\n"s);
  ASSERT_EQ(cpus.size(), 1u);  // extra columns from a future kernel are ignored
  EXPECT_EQ(cpus[0].cpu, "4");
  EXPECT_EQ(cpus[0].seconds[9], 0.1);
}

TEST(ParseProcStatCpus, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "cpu" + std::to_string(i) + " 1 2 3 4 5 6 7 8 9 10\n";
  auto cpus = parse_proc_stat_cpus(text);
  ASSERT_EQ(cpus.size(), 100000u);
  CpuCounterGuard guard;
  guard.apply(cpus);
  guard.apply(cpus);
  EXPECT_EQ(cpus.back().cpu, "99999");
  EXPECT_DOUBLE_EQ(cpus.back().seconds[3], 0.04);
}

TEST(CpuCounterGuard, SmallStepBackIsHeld) {
  CpuCounterGuard guard;
  std::vector<CpuTimes> first = {cpu("0", 100, 5000, 20)};
  guard.apply(first);
  // NO_HZ idle and iowait accounting can step back a little between reads.
  std::vector<CpuTimes> second = {cpu("0", 101, 4999.5, 19.98)};
  guard.apply(second);
  EXPECT_EQ(second[0].seconds[0], 101);
  EXPECT_EQ(second[0].seconds[3], 5000);
  EXPECT_EQ(second[0].seconds[4], 20);
  // The held value is what the next step is measured against.
  std::vector<CpuTimes> third = {cpu("0", 102, 5001, 21)};
  guard.apply(third);
  EXPECT_EQ(third[0].seconds[3], 5001);
}

TEST(CpuCounterGuard, IdleJumpBackResetsTheCpu) {
  for (double back : {CpuCounterGuard::kIdleJumpBackSeconds, 5.0, 4000.0}) {
    CpuCounterGuard guard;
    std::vector<CpuTimes> first = {cpu("0", 100, 5000, 20), cpu("1", 100, 5000, 20)};
    guard.apply(first);
    // cpu0 went offline and came back: its counters restart, all of them, and are taken as is.
    std::vector<CpuTimes> second = {cpu("0", 1, 5000 - back, 0), cpu("1", 99, 4999, 19)};
    guard.apply(second);
    EXPECT_EQ(second[0].seconds[0], 1) << back;
    EXPECT_EQ(second[0].seconds[3], 5000 - back) << back;
    EXPECT_EQ(second[0].seconds[4], 0) << back;
    EXPECT_EQ(second[1].seconds[0], 100) << back;  // cpu1 only glitched: held
    EXPECT_EQ(second[1].seconds[3], 5000) << back;
  }
}

TEST(CpuCounterGuard, JustUnderTheThresholdIsHeld) {
  CpuCounterGuard guard;
  std::vector<CpuTimes> first = {cpu("0", 100, 5000, 20)};
  guard.apply(first);
  std::vector<CpuTimes> second = {cpu("0", 100, 5000 - 2.99, 20)};
  guard.apply(second);
  EXPECT_EQ(second[0].seconds[3], 5000);
}

TEST(CpuCounterGuard, DisappearedCpuIsForgotten) {
  CpuCounterGuard guard;
  std::vector<CpuTimes> first = {cpu("0", 100, 5000, 20), cpu("1", 100, 5000, 20)};
  guard.apply(first);
  std::vector<CpuTimes> offline = {cpu("0", 101, 5001, 20)};
  guard.apply(offline);
  ASSERT_EQ(offline.size(), 1u);
  // Back online with counters from zero: nothing old to hold it to, even under the threshold.
  std::vector<CpuTimes> back = {cpu("0", 102, 5002, 20), cpu("1", 0.5, 4998, 0)};
  guard.apply(back);
  EXPECT_EQ(back[1].seconds[0], 0.5);
  EXPECT_EQ(back[1].seconds[3], 4998);
}

TEST(CpuCollector, MatchesGolden) {
  expect_golden(collect_text("cpu", fixture_paths("host")), "host/cpu.golden");
}

TEST(CpuCollector, NoGuestDropsOnlyTheGuestFamily) {
  auto with_guest = collect_text("cpu", fixture_paths("host"));
  auto without = collect_text("cpu", fixture_paths("host"), {"--no-collector.cpu.guest"});
  EXPECT_NE(with_guest.find("node_cpu_guest_seconds_total{cpu=\"1\",mode=\"user\"} 22.1\n"),
            std::string::npos);
  EXPECT_EQ(without.find("node_cpu_guest_seconds_total"), std::string::npos);
  std::string expected;
  for_each_line(with_guest, [&](std::string_view line) {
    if (line.find("node_cpu_guest_seconds_total") == std::string_view::npos) {
      expected.append(line).push_back('\n');
    }
  });
  EXPECT_EQ(without, expected);
}

TEST(CpuCollector, InfoFamiliesMatchGolden) {
  expect_golden(
      collect_text("cpu", fixture_paths("host"),
                   {"--collector.cpu.info", "--collector.cpu.info.flags-include=^(aes|avx2?|vmx)$",
                    "--collector.cpu.info.bugs-include=spectre"}),
      "host/cpu_info.golden");
}

TEST(CpuCollector, InfoWithoutFiltersHasNoFlagOrBugFamilies) {
  auto text = collect_text("cpu", fixture_paths("host"), {"--collector.cpu.info"});
  EXPECT_NE(text.find("# TYPE node_cpu_info gauge\n"), std::string::npos);
  EXPECT_EQ(text.find("node_cpu_flag_info"), std::string::npos);
  EXPECT_EQ(text.find("node_cpu_bug_info"), std::string::npos);
  EXPECT_EQ(collect_text("cpu", fixture_paths("host")).find("node_cpu_info"), std::string::npos);
}

TEST(CpuCollector, IncludeFilterTurnsInfoOn) {
  // As in node_exporter: asking for flags implies the info family.
  auto text =
      collect_text("cpu", fixture_paths("host"), {"--collector.cpu.info.bugs-include=^l1tf$"});
  EXPECT_NE(text.find("node_cpu_info{"), std::string::npos);
  EXPECT_NE(text.find("node_cpu_bug_info{bug=\"l1tf\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("node_cpu_bug_info{bug=\"mds\"}"), std::string::npos);
}

TEST(CpuCollector, InvalidIncludeRegexIsAConfigError) {
  for (const char* flag :
       {"--collector.cpu.info.flags-include", "--collector.cpu.info.bugs-include"}) {
    try {
      CollectorHarness("cpu", fixture_paths("host"), {std::string(flag) + "=(avx"});
      ADD_FAILURE() << flag << ": no ConfigError";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.flag(), flag);
      EXPECT_NE(std::string(e.what()).find(flag), std::string::npos);
    }
  }
}

TEST(CpuCollector, InfoFailsTheCollectorWhenCpuinfoIsUnusable) {
  // node_exporter fails the whole collector too; a scrape never shows half an answer.
  TempDir tree;
  tree.copy_fixture("host");
  tree.write("proc/cpuinfo", "");
  CollectorHarness harness("cpu", fixture_paths(tree.path()), {"--collector.cpu.info"});
  EXPECT_THROW(harness.collect(), std::runtime_error);
  EXPECT_NO_THROW(collect_text("cpu", fixture_paths(tree.path())));
}

TEST(CpuCollector, CountersStayMonotonicAcrossScrapes) {
  TempDir tree;
  tree.write("proc/stat", "cpu0 1000 0 500 500000 100 0 0 0 0 0\n");
  CollectorHarness harness("cpu", fixture_paths(tree.path()));
  auto idle = [&] {
    const std::string series = "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} ";
    auto text = harness.collect();
    auto at = text.find(series);
    if (at == std::string::npos) return "missing: " + text;
    at += series.size();
    return text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_EQ(idle(), "5000");
  tree.write("proc/stat", "cpu0 1001 0 500 499950 100 0 0 0 0 0\n");  // 0.5 s back: held
  EXPECT_EQ(idle(), "5000");
  tree.write("proc/stat", "cpu0 1 0 1 100 0 0 0 0 0 0\n");  // 4999 s back: hotplug, reset
  EXPECT_EQ(idle(), "1");
}

TEST(CpuCollector, ThrottlesSkipCpusWithoutTopologyAndReadEachCoreOnce) {
  TempDir tree;
  tree.write("proc/stat", kStat);
  const std::string cpu = "sys/devices/system/cpu/";
  // cpu0 and cpu2 are threads of core 0; cpu0 lacks the core counter, its sibling has it.
  tree.write(cpu + "cpu0/topology/core_id", "0\n");
  tree.write(cpu + "cpu0/topology/physical_package_id", "0\n");
  tree.write(cpu + "cpu0/thermal_throttle/package_throttle_count", "42\n");
  tree.write(cpu + "cpu2/topology/core_id", "0\n");
  tree.write(cpu + "cpu2/topology/physical_package_id", "0\n");
  tree.write(cpu + "cpu2/thermal_throttle/core_throttle_count", "9\n");
  tree.write(cpu + "cpu2/thermal_throttle/package_throttle_count", "41\n");
  // cpu1 has no topology (offline): skipped, though its counters exist.
  tree.write(cpu + "cpu1/thermal_throttle/core_throttle_count", "1000\n");
  // A second package, only a core counter (seen on kernels without package counters).
  tree.write(cpu + "cpu16/topology/core_id", "3\n");
  tree.write(cpu + "cpu16/topology/physical_package_id", "1\n");
  tree.write(cpu + "cpu16/thermal_throttle/core_throttle_count", "5\n");
  tree.write(cpu + "cpufreq/policy0/scaling_driver", "intel_pstate\n");
  std::string throttles;
  for_each_line(collect_text("cpu", fixture_paths(tree.path())), [&](std::string_view line) {
    if (line.find("_throttles_total") != std::string_view::npos) {
      throttles.append(line).push_back('\n');
    }
  });
  EXPECT_EQ(throttles,
            "# HELP node_cpu_core_throttles_total Number of times this CPU core has been "
            "throttled.\n"
            "# TYPE node_cpu_core_throttles_total counter\n"
            "node_cpu_core_throttles_total{core=\"0\",package=\"0\"} 9\n"
            "node_cpu_core_throttles_total{core=\"3\",package=\"1\"} 5\n"
            "# HELP node_cpu_package_throttles_total Number of times this CPU package has been "
            "throttled.\n"
            "# TYPE node_cpu_package_throttles_total counter\n"
            "node_cpu_package_throttles_total{package=\"0\"} 42\n");
}

TEST(CpuCollector, NoSysfsMeansNoThrottleFamilies) {
  TempDir tree;
  tree.write("proc/stat", kStat);
  auto text = collect_text("cpu", fixture_paths(tree.path()));
  EXPECT_EQ(text.find("throttles"), std::string::npos);
  EXPECT_NE(text.find("node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 2984.3\n"),
            std::string::npos);
}

}  // namespace
}  // namespace nodeprobe

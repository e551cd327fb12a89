#include "collectors/pressure.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;
using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParsePressure, RealSample) {
  // accounting/psi.rst: "some" and "full" lines; total is in microseconds.
  auto t = parse_pressure(
      "some avg10=0.31 avg60=0.22 avg300=0.18 total=52781093\n"
      "full avg10=0.12 avg60=0.09 avg300=0.07 total=31822457\n");
  EXPECT_EQ(t.some, 52.781093);
  EXPECT_EQ(t.full, 31.822457);
}

TEST(ParsePressure, WithoutTheFullLine) {
  // cpu before Linux 5.13 has no "full" line.
  auto t = parse_pressure("some avg10=1.21 avg60=0.87 avg300=0.64 total=178435612\n");
  EXPECT_EQ(t.some, 178.435612);
  EXPECT_FALSE(t.full);
}

TEST(ParsePressure, IrqHasOnlyTheFullLine) {
  auto t = parse_pressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=1256830\n");
  EXPECT_FALSE(t.some);
  EXPECT_EQ(t.full, 1.25683);
}

TEST(ParsePressure, EmptyAndTruncated) {
  auto empty = parse_pressure("");
  EXPECT_FALSE(empty.some || empty.full);
  auto cut =
      parse_pressure("some avg10=1.21 avg60=0.87 avg300=0.64 total=178435612\nfull avg10=0.0");
  EXPECT_EQ(cut.some, 178.435612);
  EXPECT_FALSE(cut.full);
  EXPECT_FALSE(parse_pressure("some avg10=0.00 avg60=0.02 avg300=0.01 total=").some);
}

TEST(ParsePressure, GarbageIsSkipped) {
  auto t = parse_pressure(
      "\177ELF\x02\x01\x00\xff\xfe\n"
      "some avg10=x total=abc\n"
      "full total=-5\n"
      "most total=5\n"
      "some total=1e6\n"
      "total=5\n"s);
  EXPECT_FALSE(t.some || t.full);
}

TEST(ParsePressure, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i)
    text += "some avg10=0.00 avg60=0.00 avg300=0.00 total=" + std::to_string(i) + "\n";
  EXPECT_EQ(parse_pressure(text).some, 0.099999);  // the last line wins
}

TEST(PressureCollector, MatchesGolden) {
  // cpu, io, memory and irq; the cpu "full" line is not exported.
  expect_golden(collect_text("pressure", fixture_paths("host")), "host/pressure.golden");
}

TEST(PressureCollector, WithoutIrqFile) {
  // Kernels before 6.1, or without CONFIG_IRQ_TIME_ACCOUNTING.
  TempDir tree;
  tree.copy_fixture("host");
  std::filesystem::remove(tree.path() + "/proc/pressure/irq");
  auto text = collect_text("pressure", fixture_paths(tree.path()));
  EXPECT_EQ(text.find("irq"), std::string::npos);
  EXPECT_NE(text.find("node_pressure_memory_stalled_seconds_total 2.017836\n"), std::string::npos);
}

// The kernel does not gain a pressure file while it runs: one missing beside the others is not
// looked for again, which spares a failed open on every scrape.
TEST(PressureCollector, AFileMissingBesideTheOthersIsNotLookedForAgain) {
  TempDir tree;
  tree.copy_fixture("host");
  std::filesystem::remove(tree.path() + "/proc/pressure/irq");
  CollectorHarness pressure("pressure", fixture_paths(tree.path()));
  auto first = pressure.collect();
  EXPECT_EQ(first.find("irq"), std::string::npos);
  tree.write("proc/pressure/irq", "full avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n");
  EXPECT_EQ(pressure.collect(), first);
  // A new collector (a restarted agent) finds it.
  EXPECT_NE(CollectorHarness("pressure", fixture_paths(tree.path()))
                .collect()
                .find("node_pressure_irq_stalled_seconds_total 1\n"),
            std::string::npos);
}

TEST(PressureCollector, NoPressureDirectoryIsAnAbsentFeature) {
  TempDir tree;
  tree.write("proc/stat", "");
  EXPECT_THROW(collect_text("pressure", fixture_paths(tree.path())), FeatureAbsent);
}

}  // namespace
}  // namespace nodeprobe

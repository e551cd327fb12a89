#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::fixture_paths;
using testing::TempDir;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const prometheus::MetricFamily* find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string lines_starting_with(const std::string& text, std::string_view prefix) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    std::string_view line(text.data() + pos, end - pos);
    if (line.starts_with(prefix)) out.append(line).push_back('\n');
    pos = end + 1;
  }
  return out;
}

TEST(TimeCollector, SystemTimeAndZoneOfThisHost) {
  CollectorHarness time("time", fixture_paths("host"));
  double before = now_seconds();
  time.collect();
  double after = now_seconds();

  const auto* seconds = find(time.families(), "node_time_seconds");
  ASSERT_NE(seconds, nullptr);
  EXPECT_EQ(seconds->type, prometheus::MetricType::Gauge);
  ASSERT_EQ(seconds->metric.size(), 1u);
  EXPECT_TRUE(seconds->metric[0].label.empty());
  EXPECT_GE(seconds->metric[0].gauge.value, before);
  EXPECT_LE(seconds->metric[0].gauge.value, after);

  const auto* zone = find(time.families(), "node_time_zone_offset_seconds");
  ASSERT_NE(zone, nullptr);
  ASSERT_EQ(zone->metric.size(), 1u);
  ASSERT_EQ(zone->metric[0].label.size(), 1u);
  EXPECT_EQ(zone->metric[0].label[0].name, "time_zone");
  std::time_t t = static_cast<std::time_t>(before);
  std::tm local{};
  localtime_r(&t, &local);
  EXPECT_EQ(zone->metric[0].label[0].value, local.tm_zone);
  EXPECT_EQ(zone->metric[0].gauge.value, static_cast<double>(local.tm_gmtoff));
}

TEST(TimeCollector, ClocksourcesFromTheFixtureSysfs) {
  auto text = CollectorHarness("time", fixture_paths("host")).collect();
  EXPECT_EQ(lines_starting_with(text, "node_time_clocksource"),
            "node_time_clocksource_available_info{clocksource=\"acpi_pm\",device=\"0\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"hpet\",device=\"0\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"tsc\",device=\"0\"} 1\n"
            "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n");
  EXPECT_NE(text.find("# HELP node_time_clocksource_available_info Available clocksources read "
                      "from '/sys/devices/system/clocksource'.\n"),
            std::string::npos);
  EXPECT_NE(text.find("# HELP node_time_clocksource_current_info Current clocksource read from "
                      "'/sys/devices/system/clocksource'.\n"),
            std::string::npos);
}

// The device listing is kept between scrapes; the files are read on every one.
TEST(TimeCollector, ClocksourceFilesAreReadEachScrapeAndAGoneDeviceIsListedAgain) {
  TempDir tree;
  const std::string base = "sys/devices/system/clocksource/";
  tree.write(base + "clocksource0/available_clocksource", "tsc hpet\n");
  tree.write(base + "clocksource0/current_clocksource", "tsc\n");
  CollectorHarness time("time", fixture_paths(tree.path()));
  EXPECT_EQ(lines_starting_with(time.collect(), "node_time_clocksource_current"),
            "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n");

  tree.write(base + "clocksource0/current_clocksource", "hpet\n");
  EXPECT_EQ(lines_starting_with(time.collect(), "node_time_clocksource_current"),
            "node_time_clocksource_current_info{clocksource=\"hpet\",device=\"0\"} 1\n");

  std::filesystem::rename(tree.path() + "/" + base + "clocksource0",
                          tree.path() + "/" + base + "clocksource1");
  tree.write(base + "clocksource1/available_clocksource", "kvm-clock\n");
  auto text = time.collect();
  EXPECT_EQ(lines_starting_with(text, "node_time_clocksource"),
            "node_time_clocksource_available_info{clocksource=\"kvm-clock\",device=\"1\"} 1\n"
            "node_time_clocksource_current_info{clocksource=\"hpet\",device=\"1\"} 1\n");

  std::filesystem::remove_all(tree.path() + "/" + base);
  EXPECT_EQ(lines_starting_with(time.collect(), "node_time_clocksource"), "");
}

TEST(TimeCollector, NoClocksourceDirectoryLeavesThoseFamiliesOut) {
  TempDir tree;
  tree.write("sys/devices/system/cpu/online", "0\n");
  CollectorHarness time("time", fixture_paths(tree.path()));
  time.collect();
  ASSERT_EQ(time.families().size(), 2u);
  EXPECT_NE(find(time.families(), "node_time_seconds"), nullptr);
  EXPECT_NE(find(time.families(), "node_time_zone_offset_seconds"), nullptr);
}

}  // namespace
}  // namespace nodeprobe

#include "collectors/meminfo.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_path;
using testing::fixture_paths;

TEST(ParseMeminfo, RealSample) {
  auto fields = parse_meminfo(
      "MemTotal:       16318412 kB\n"
      "Active(anon):     186504 kB\n"
      "HugePages_Total:       0\n"
      "HugePages_Free:        4\n"
      "Hugepagesize:       2048 kB\n"
      "VmallocTotal:   34359738367 kB\n");
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[0].name, "MemTotal_bytes");
  EXPECT_EQ(fields[0].value, 16318412.0 * 1024);
  EXPECT_EQ(fields[1].name, "Active_anon_bytes");
  EXPECT_EQ(fields[1].value, 186504.0 * 1024);
  // Counts of huge pages carry no unit and are not scaled.
  EXPECT_EQ(fields[2].name, "HugePages_Total");
  EXPECT_EQ(fields[2].value, 0);
  EXPECT_EQ(fields[3].name, "HugePages_Free");
  EXPECT_EQ(fields[3].value, 4);
  EXPECT_EQ(fields[4].name, "Hugepagesize_bytes");
  EXPECT_EQ(fields[5].value, 34359738367.0 * 1024);
}

TEST(ParseMeminfo, FixtureHasTheModernFieldList) {
  std::ifstream in(fixture_path("host/proc/meminfo"));
  std::stringstream text;
  text << in.rdbuf();
  auto fields = parse_meminfo(text.str());
  EXPECT_EQ(fields.size(), 57u);
  for (const auto& f : fields) EXPECT_FALSE(f.name.empty());
}

TEST(ParseMeminfo, EmptyGivesNothing) {
  EXPECT_TRUE(parse_meminfo("").empty());
  EXPECT_TRUE(parse_meminfo("\n\n").empty());
}

TEST(ParseMeminfo, TruncatedLineIsSkipped) {
  auto fields = parse_meminfo("MemTotal:       16318412 kB\nMemFr");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].name, "MemTotal_bytes");
  EXPECT_TRUE(parse_meminfo("MemTotal:").empty());
  // A read cut inside the number cannot be told from a smaller number; read_file never cuts.
  auto cut = parse_meminfo("SwapFree:        41");
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].name, "SwapFree");
}

TEST(ParseMeminfo, GarbageLinesAreSkipped) {
  auto fields = parse_meminfo(
      "\177ELF\x02\x01\x00\x00\xff\xfe\n"
      "MemTotal: lots kB\n"
      "Mem Free: 12 kB\n"
      "Cached: 12 MB\n"
      "SwapTotal: -1 kB\n"
      "HugePages_Total: nan\n"
      ": 5\n"
      "Dirty: 1 2 kB\n"
      "\xff\xfe: 7 kB\n"
      "MemFree:        1024 kB\n"s);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].name, "MemFree_bytes");
  EXPECT_EQ(fields[0].value, 1024.0 * 1024);
}

TEST(ParseMeminfo, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    text += "Field" + std::to_string(i) + ":  " + std::to_string(i) + " kB\n";
  }
  auto fields = parse_meminfo(text);
  ASSERT_EQ(fields.size(), 100000u);
  EXPECT_EQ(fields.back().name, "Field99999_bytes");
  EXPECT_EQ(fields.back().value, 99999.0 * 1024);
}

TEST(MeminfoCollector, MatchesGolden) {
  expect_golden(collect_text("meminfo", fixture_paths("host")), "host/meminfo.golden");
}

}  // namespace
}  // namespace nodeprobe

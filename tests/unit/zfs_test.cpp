// The zfs collector: the kstat parsers on literal files (OpenZFS's spl-kstat.c formats), and
// the collector on fixture trees with pools online, degraded and faulted/suspended.
#include <gtest/gtest.h>

#include <string>

#include "agent/collector.h"
#include "collectors/zfs_kstat.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

constexpr std::string_view kArcstats =
    "13 1 0x01 147 39984 6817218478 85719208733582\n"
    "name                            type data\n"
    "hits                            4    5403874\n"
    "memory_available_bytes          3    -125829120\n";

TEST(ParseKstatNamed, RealSample) {
  auto values = parse_kstat_named(kArcstats);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].name, "hits");
  EXPECT_EQ(values[0].type, "4");
  EXPECT_EQ(values[0].data, "5403874");
  EXPECT_EQ(values[1].data, "-125829120");
}

TEST(ParseKstatNamed, EmptyOrHeaderlessIsRefused) {
  EXPECT_THROW(parse_kstat_named(""), KstatError);
  EXPECT_THROW(parse_kstat_named("13 1 0x01 147 39984 6817218478 85719208733582\n"), KstatError);
  EXPECT_THROW(parse_kstat_named("\xff\xfe garbage\n"), KstatError);
}

TEST(ParseKstatNamed, TruncatedValueLineIsSkipped) {
  auto values = parse_kstat_named("name type data\nhits 4 12\nmisses 4");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].name, "hits");
}

TEST(ParseKstatNamed, Oversized) {
  std::string text = "name type data\n";
  for (int i = 0; i < 50000; ++i)
    text += "v" + std::to_string(i) + " 4 " + std::to_string(i) + "\n";
  EXPECT_EQ(parse_kstat_named(text).size(), 50000u);
}

TEST(KstatUint64, RefusesWhatIsNotAnUnsignedNumber) {
  EXPECT_EQ(kstat_uint64("18446744073709551615", "k"), UINT64_MAX);
  EXPECT_THROW(kstat_uint64("-1", "k"), KstatError);
  EXPECT_THROW(kstat_uint64("12abc", "k"), KstatError);
  EXPECT_THROW(kstat_uint64("", "k"), KstatError);
}

TEST(ParseKstatIo, RealSample) {
  auto values = parse_kstat_io(
      "34 3 0x00 1 80 15493734683 85719209096281\n"
      "nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime rupdate  "
      "wcnt     rcnt\n"
      "1884160  3206144  22       132      7155162  104112268 2245432342 4470963 1127330112 "
      "2246175432 0        0\n");
  ASSERT_EQ(values.size(), 12u);
  EXPECT_EQ(values[0], (std::pair<std::string, std::uint64_t>("nread", 1884160)));
  EXPECT_EQ(values[11].first, "rcnt");
}

TEST(ParseKstatIo, EmptyAndHeaderOnlyHaveNoValues) {
  EXPECT_TRUE(parse_kstat_io("").empty());
  EXPECT_TRUE(parse_kstat_io("nread nwritten reads writes wtime wlentime wupdate rtime rlentime "
                             "rupdate wcnt rcnt\n")
                  .empty());
}

TEST(ParseKstatIo, TruncatedOrGarbageRowIsRefused) {
  std::string header =
      "nread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n";
  EXPECT_THROW(parse_kstat_io(header + "1 2\n"), KstatError);
  EXPECT_THROW(parse_kstat_io(header + "1 2 3 4 5 6 7 8 9 10 11 x\n"), KstatError);
}

class ZfsFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(ZfsFixture, MatchesGolden) {
  std::string state = GetParam();
  expect_golden(collect_text("zfs", fixture_paths("storage/zfs/" + state)),
                "storage/zfs/" + state + ".golden");
}

INSTANTIATE_TEST_SUITE_P(States, ZfsFixture, ::testing::Values("healthy", "degraded", "failing"));

TEST(ZfsCollector, NoZfsModuleIsAnAbsentFeature) {
  TempDir empty;
  EXPECT_THROW(collect_text("zfs", fixture_paths(empty.path())), FeatureAbsent);
}

TEST(ZfsCollector, ModuleWithoutKstatsEmitsNothing) {
  TempDir tree;
  tree.write("proc/spl/kstat/zfs/pool/.keep", "");
  std::filesystem::remove_all(tree.path() + "/proc/spl/kstat/zfs/pool");
  EXPECT_EQ(collect_text("zfs", fixture_paths(tree.path())), "");
}

TEST(ZfsCollector, EmptyPoolFilesAreNoCountersAndNoState) {
  TempDir tree;
  tree.write("proc/spl/kstat/zfs/tank/io", "");
  tree.write("proc/spl/kstat/zfs/tank/state", "");
  std::string out = collect_text("zfs", fixture_paths(tree.path()));
  EXPECT_EQ(out.find("node_zfs_zpool_nread"), std::string::npos);
  EXPECT_NE(out.find("node_zfs_zpool_state{state=\"online\",zpool=\"tank\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(out.find("} 1\n"), std::string::npos);
}

TEST(ZfsCollector, BrokenKstatFailsTheCollection) {
  for (const char* file : {"arcstats", "tank/objset-0x36"}) {
    for (const char* text : {"", "name type data\nhits 4 -5\n", "name type da"}) {
      TempDir tree;
      tree.write(std::string("proc/spl/kstat/zfs/") + file, text);
      EXPECT_THROW(collect_text("zfs", fixture_paths(tree.path())), KstatError)
          << file << ": " << text;
    }
  }
}

}  // namespace
}  // namespace nodeprobe

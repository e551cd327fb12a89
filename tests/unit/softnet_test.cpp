#include "collectors/softnet.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

TEST(ParseSoftnet, LinesOfElevenThirteenAndFifteenColumns) {
  auto cpus = parse_softnet(
      // Linux 2.6.36+ (11 columns)
      "0003a1b2 00000000 00000012 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
      "00000004\n"
      // Linux 5.10+ (13 columns: backlog length and CPU index)
      "00024f00 00000003 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
      "00000000 00000000 00000001\n"
      // Linux 6.x with input and process queue lengths apart
      "ffffffff 00000010 00000100 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
      "00000000 00000000 00000002 00000000 00000000\n");
  ASSERT_TRUE(cpus);
  ASSERT_EQ(cpus->size(), 3u);
  EXPECT_EQ((*cpus)[0].processed, 0x3a1b2u);
  EXPECT_EQ((*cpus)[0].time_squeezed, 0x12u);
  EXPECT_EQ((*cpus)[1].dropped, 3u);
  EXPECT_EQ((*cpus)[2].processed, 0xffffffffu);
  EXPECT_EQ((*cpus)[2].time_squeezed, 0x100u);
}

TEST(ParseSoftnet, EmptyIsNoCpus) {
  auto cpus = parse_softnet("");
  ASSERT_TRUE(cpus);
  EXPECT_TRUE(cpus->empty());
}

TEST(ParseSoftnet, ShortOrNonHexLineRejectsTheFile) {
  EXPECT_FALSE(parse_softnet("0003a1b2 00000000 00000012\n"));
  std::string line =
      "00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n";
  EXPECT_TRUE(parse_softnet(line));
  EXPECT_FALSE(parse_softnet(line + "0000000g 00000000 00000000 00000000 00000000 00000000 "
                                    "00000000 00000000 00000000\n"));
  EXPECT_FALSE(parse_softnet(line + line.substr(0, 40)));  // truncated mid-line
  EXPECT_FALSE(
      parse_softnet("\x7f"
                    "ELF\x02\x01\x00\xff\xfe 1 2 3 4 5 6 7 8 9\n"s));
  EXPECT_FALSE(parse_softnet(line + "-0000001 00000000 00000000 00000000 00000000 00000000 "
                                    "00000000 00000000 00000000\n"));
}

TEST(ParseSoftnet, OversizedInput) {
  std::string text;
  for (int i = 0; i < 8192; ++i) {
    char line[160];
    std::snprintf(line, sizeof(line),
                  "%08x 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
                  "00000000 00000000 00000000 %08x\n",
                  i, i);
    text += line;
  }
  auto cpus = parse_softnet(text);
  ASSERT_TRUE(cpus);
  ASSERT_EQ(cpus->size(), 8192u);
  EXPECT_EQ(cpus->back().processed, 8191u);
}

TEST(SoftnetCollector, MatchesGolden) {
  expect_golden(collect_text("softnet", fixture_paths("net/host")), "net/host/softnet.golden");
}

TEST(SoftnetCollector, MalformedOrEmptyFileIsAnError) {
  TempDir tree;
  tree.write("proc/net/softnet_stat", "");
  EXPECT_THROW(collect_text("softnet", fixture_paths(tree.path())), std::runtime_error);
  tree.write("proc/net/softnet_stat", "00000001 00000002\n");
  EXPECT_THROW(collect_text("softnet", fixture_paths(tree.path())), std::runtime_error);
}

TEST(SoftnetCollector, MissingFileIsAnError) {
  TempDir empty;
  EXPECT_THROW(collect_text("softnet", fixture_paths(empty.path())), FileError);
}

}  // namespace
}  // namespace nodeprobe

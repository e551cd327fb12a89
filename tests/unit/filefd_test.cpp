#include "collectors/filefd.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::expect_golden;
using testing::fixture_paths;

TEST(ParseFileNr, RealSample) {
  // proc_sys_fs(5): allocated, free (always 0 since 2.6), maximum; tab-separated.
  auto nr = parse_file_nr("10432\t0\t9223372036854775807\n");
  ASSERT_TRUE(nr);
  EXPECT_EQ(nr->allocated, 10432);
  EXPECT_EQ(nr->maximum, 9223372036854775807.0);
}

TEST(ParseFileNr, RejectsEmptyTruncatedAndGarbage) {
  EXPECT_FALSE(parse_file_nr(""));
  EXPECT_FALSE(parse_file_nr("10432\t0"));
  EXPECT_FALSE(parse_file_nr("10432\t0\t"));
  EXPECT_FALSE(parse_file_nr("\xff\xfe\t0\t1"));
  EXPECT_FALSE(parse_file_nr("nan\t0\tinf"));
  EXPECT_FALSE(parse_file_nr("-1\t0\t100"));
  EXPECT_FALSE(parse_file_nr("1\tx\t100"));
  EXPECT_FALSE(parse_file_nr("1 0 100 7"));
}

TEST(ParseFileNr, OversizedInputIsRejected) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "10432\t0\t9223372036854775807\n";
  EXPECT_FALSE(parse_file_nr(text));
}

TEST(FilefdCollector, MatchesGolden) {
  expect_golden(collect_text("filefd", fixture_paths("host")), "host/filefd.golden");
}

}  // namespace
}  // namespace nodeprobe

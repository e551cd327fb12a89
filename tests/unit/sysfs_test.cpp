#include "agent/sysfs.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::TempDir;

TEST(ReadAttribute, TrimsAndReportsErrno) {
  TempDir dir;
  dir.write("a", "  42\n");
  dir.write("empty", "");
  dir.write("big", std::string(100000, 'x'));
  int err = -1;
  EXPECT_EQ(read_attribute(dir.path() + "/a", err), "42");
  EXPECT_EQ(read_attribute(dir.path() + "/empty", err), "");
  EXPECT_FALSE(read_attribute(dir.path() + "/missing", err));
  EXPECT_EQ(err, ENOENT);
  EXPECT_FALSE(read_attribute(dir.path() + "/big", err));
  EXPECT_EQ(err, EFBIG);
  EXPECT_FALSE(read_attribute(dir.path(), err));
  EXPECT_EQ(err, EISDIR);
}

TEST(ListDirectory, SortedWithoutDots) {
  TempDir dir;
  dir.write("b", "");
  dir.write("a/x", "");
  dir.write("c10", "");
  int err = -1;
  auto names = list_directory(dir.path(), err);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c10"}));
  EXPECT_FALSE(list_directory(dir.path() + "/missing", err));
  EXPECT_EQ(err, ENOENT);
  EXPECT_FALSE(list_directory(dir.path() + "/b", err));
  EXPECT_EQ(err, ENOTDIR);
}

TEST(ParseSysfsInt, DecimalAndHex) {
  EXPECT_EQ(parse_sysfs_int("42"), 42);
  EXPECT_EQ(parse_sysfs_int("-1"), -1);
  EXPECT_EQ(parse_sysfs_int("0x8180"), 0x8180);
  EXPECT_EQ(parse_sysfs_int("0x0"), 0);
  EXPECT_FALSE(parse_sysfs_int(""));
  EXPECT_FALSE(parse_sysfs_int("0x"));
  EXPECT_FALSE(parse_sysfs_int("12ab"));
  EXPECT_FALSE(parse_sysfs_int("0xzz"));
  EXPECT_FALSE(parse_sysfs_int("99999999999999999999"));
  EXPECT_FALSE(parse_sysfs_int(" 1"));
}

}  // namespace
}  // namespace nodeprobe

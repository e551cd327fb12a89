#include "agent/sysfs.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "agent/parse.h"
#include "agent/read_file.h"
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

TEST(ReadAttribute, LongerThanAPageIsReadWhole) {
  // A page exactly, a binary attribute's size (served a page per read), and up to the cap.
  TempDir dir;
  for (std::size_t size : {std::size_t{4095}, std::size_t{4096}, std::size_t{4097},
                           std::size_t{12288}, std::size_t{64 * 1024}}) {
    std::string text(size, 'y');
    dir.write("attr", text);
    int err = -1;
    auto read = read_attribute(dir.path() + "/attr", err);
    ASSERT_TRUE(read) << size;
    EXPECT_EQ(read->size(), size);
    EXPECT_EQ(err, 0);
  }
  // One byte past the cap is refused.
  dir.write("attr", std::string(64 * 1024 + 1, 'y'));
  int err = -1;
  EXPECT_FALSE(read_attribute(dir.path() + "/attr", err));
  EXPECT_EQ(err, EFBIG);
}

TEST(ReadAttribute, RealSysfsAttributes) {
  // A real attribute (one show call) and a real binary attribute, if this machine has them.
  int err = -1;
  auto online = read_attribute("/sys/devices/system/cpu/online", err);
  if (!online) GTEST_SKIP() << "no /sys/devices/system/cpu/online: " << err;
  EXPECT_EQ(*online, trim(read_file("/sys/devices/system/cpu/online")));
  auto btf = read_attribute("/sys/kernel/btf/vmlinux", err);
  // vmlinux's BTF is megabytes, past the cap: refused, not cut.
  if (!btf && err == ENOENT) return;
  EXPECT_FALSE(btf);
  EXPECT_EQ(err, EFBIG);
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

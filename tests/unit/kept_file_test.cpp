// KeptFile: procfs and sysfs files kept open and read again from offset 0; any other file
// opened for each read.
#include "agent/kept_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "agent/parse.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::TempDir;

// Field 20 of /proc/PID/stat, counted after the parenthesised command.
std::uint64_t thread_count(const std::string& stat) {
  auto fields = split_fields(std::string_view(stat).substr(stat.rfind(')') + 1));
  return fields.size() > 17 ? parse_uint(fields[17]).value_or(0) : 0;
}

TEST(KeptFile, AProcFileIsKeptOpenAndRenderedAfreshOnEachRead) {
  KeptFile stat("/proc/self/stat", ReadEnd::kShortRead);
  std::uint64_t before = thread_count(stat.read());
  ASSERT_GT(before, 0u);
  EXPECT_TRUE(stat.is_open());

  // One more thread while it waits: the kept descriptor must show it.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread extra([&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done; });
  });
  EXPECT_EQ(thread_count(stat.read()), before + 1);
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  extra.join();
  EXPECT_EQ(thread_count(stat.read()), before);
  EXPECT_TRUE(stat.is_open());
}

TEST(KeptFile, ASysfsAttributeIsKeptOpen) {
  KeptFile online("/sys/devices/system/cpu/online", ReadEnd::kShortRead);
  int err = 0;
  if (!online.read(err)) GTEST_SKIP() << "no /sys/devices/system/cpu/online here: " << err;
  EXPECT_TRUE(online.is_open());
  std::string first = online.text();
  ASSERT_TRUE(online.read(err));
  EXPECT_EQ(online.text(), first);
  EXPECT_TRUE(first.starts_with("0"));
}

// A fixture tree, or a file that is replaced by rename as textfile writers do: opened each time.
TEST(KeptFile, AFileElsewhereIsOpenedForEachRead) {
  TempDir dir;
  dir.write("stat", "first\n");
  KeptFile file(dir.path() + "/stat", ReadEnd::kShortRead);
  EXPECT_EQ(file.read(), "first\n");
  EXPECT_FALSE(file.is_open());
  dir.write("stat.new", "second\n");
  std::filesystem::rename(dir.path() + "/stat.new", dir.path() + "/stat");
  EXPECT_EQ(file.read(), "second\n");
  dir.write("stat", "");
  EXPECT_EQ(file.read(), "");
}

// The kept descriptor of a process that has ended answers ESRCH; the path is opened again,
// which fails as the process is gone, and the error is the path's.
TEST(KeptFile, AProcessThatEndedIsReportedAsGone) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  KeptFile stat("/proc/" + std::to_string(child) + "/stat", ReadEnd::kShortRead);
  int err = 0;
  ASSERT_TRUE(stat.read(err)) << err;
  EXPECT_TRUE(stat.is_open());
  ::kill(child, SIGKILL);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(stat.read(err));
  EXPECT_EQ(err, ENOENT);
  EXPECT_FALSE(stat.is_open());
  EXPECT_EQ(stat.text(), "");
  try {
    stat.read();
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_TRUE(e.not_found());
    EXPECT_NE(std::string(e.what()).find(std::to_string(child)), std::string::npos) << e.what();
  }
}

TEST(KeptFile, MissingOversizedAndMultiPageFiles) {
  int err = 0;
  KeptFile missing("/proc/self/no-such-file");
  EXPECT_FALSE(missing.read(err));
  EXPECT_EQ(err, ENOENT);

  // Past the cap: refused, each time.
  KeptFile small_cap("/proc/self/status", ReadEnd::kZero, 16);
  EXPECT_FALSE(small_cap.read(err));
  EXPECT_EQ(err, EFBIG);
  EXPECT_THROW(small_cap.read(), FileError);

  // A file of many pages (records) is read whole, each time from its start.
  KeptFile maps("/proc/self/smaps");
  std::string first = maps.read();
  ASSERT_GT(first.size(), 4096u);
  EXPECT_TRUE(maps.is_open());
  std::string second = maps.read();
  EXPECT_EQ(second.substr(0, 100), first.substr(0, 100));
  EXPECT_EQ(second.back(), '\n');
}

TEST(KeptFile, MovedFromKeepsNothingOpen) {
  KeptFile a("/proc/self/stat", ReadEnd::kShortRead);
  a.read();
  KeptFile b(std::move(a));
  EXPECT_TRUE(b.is_open());
  EXPECT_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): what a move leaves is the test
  KeptFile c("/proc/self/status");
  c = std::move(b);
  EXPECT_TRUE(c.is_open());
  EXPECT_EQ(c.path(), "/proc/self/stat");
  EXPECT_GT(thread_count(c.read()), 0u);
}

}  // namespace
}  // namespace nodeprobe

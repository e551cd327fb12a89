// WatchedFiles: cgroup files kept between scrapes and read again only when inotify reports a
// modification (collectors/watched_files.h). On the test's own temporary directory, where a
// write raises IN_MODIFY as it does on cgroupfs; a change made through a shared mapping raises
// none, which shows what is served from the cache.
#include "collectors/watched_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "agent/parse.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::TempDir;

// Overwrites the start of a file through a shared mapping: the page cache changes, no inotify
// event is raised.
void change_silently(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  ASSERT_GE(static_cast<std::size_t>(st.st_size), text.size());
  void* map = ::mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(map, MAP_FAILED);
  std::memcpy(map, text.data(), text.size());
  ::munmap(map, st.st_size);
  ::close(fd);
}

// One scrape's read of one file.
std::string scrape(WatchedFiles& files, const std::string& dir_path, std::uint64_t id,
                   const char* name, bool* ok = nullptr) {
  CgroupDir dir(dir_path);
  std::string out;
  files.begin();
  bool read = files.read(dir_path, id, dir, name, out);
  files.end();
  if (ok != nullptr) *ok = read;
  return out;
}

class WatchedFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!files_.enabled()) GTEST_SKIP() << "inotify_init1 failed here: " << std::strerror(errno);
    tmp_.write("pod/memory.max", "1048576\n");
    dir_ = tmp_.path() + "/pod";
  }
  TempDir tmp_;
  WatchedFiles files_;
  std::string dir_;
};

TEST_F(WatchedFilesTest, ReadAgainOnlyAfterAModification) {
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "1048576\n");
  EXPECT_EQ(files_.watches(), 1u);

  // No event: the text of the last read stands, though the page cache says otherwise.
  change_silently(dir_ + "/memory.max", "2097152\n");
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "1048576\n");

  // A write raises IN_MODIFY: the next scrape reads the file again.
  tmp_.write("pod/memory.max", "max\n");
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "max\n");
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "max\n");
  EXPECT_EQ(files_.watches(), 1u);
}

TEST_F(WatchedFilesTest, AnotherCgroupUnderTheSamePathIsReadAfresh) {
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "1048576\n");
  change_silently(dir_ + "/memory.max", "2097152\n");
  // The walk found another directory inode under the path: a new cgroup, not the cached one.
  EXPECT_EQ(scrape(files_, dir_, 8, "memory.max"), "2097152\n");
}

TEST_F(WatchedFilesTest, ARemovedFileIsNotServedFromTheCache) {
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "1048576\n");
  ASSERT_EQ(::unlink((dir_ + "/memory.max").c_str()), 0);
  bool ok = true;
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max", &ok), "");
  EXPECT_FALSE(ok);
  tmp_.write("pod/memory.max", "4096\n");
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max", &ok), "4096\n");
  EXPECT_TRUE(ok);
}

TEST_F(WatchedFilesTest, AnAbsentFileIsReadEachTimeWithoutAWatch) {
  bool ok = true;
  scrape(files_, dir_, 7, "memory.events", &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(files_.watches(), 0u);
  // It appears (a controller enabled later): read, as it is asked every time.
  tmp_.write("pod/memory.events", "oom_kill 1\n");
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.events", &ok), "oom_kill 1\n");
  EXPECT_TRUE(ok);
}

TEST_F(WatchedFilesTest, FilesOfCgroupsNotSeenAreForgotten) {
  tmp_.write("other/memory.max", "max\n");
  CgroupDir pod(dir_);
  CgroupDir other(tmp_.path() + "/other");
  std::string out;
  files_.begin();
  files_.read(dir_, 7, pod, "memory.max", out);
  files_.read(tmp_.path() + "/other", 9, other, "memory.max", out);
  files_.end();
  EXPECT_EQ(files_.watches(), 2u);
  // The next scrape reads only the pod: the other cgroup went away, and its watch with it.
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "1048576\n");
  EXPECT_EQ(files_.watches(), 1u);
}

TEST_F(WatchedFilesTest, LostEventsMeanEverythingIsReadAgain) {
  // Past fs.inotify.max_queued_events the kernel drops events and queues IN_Q_OVERFLOW instead.
  std::string limit_text;
  int err = 0;
  ASSERT_TRUE(try_read_file("/proc/sys/fs/inotify/max_queued_events", limit_text, err));
  auto limit = parse_uint(trim(limit_text));
  ASSERT_TRUE(limit);
  if (*limit > 200'000) GTEST_SKIP() << "max_queued_events is " << *limit << ", too many to fill";
  tmp_.write("pod/a", "0\n");
  tmp_.write("pod/b", "0\n");
  CgroupDir dir(dir_);
  std::string out;
  files_.begin();
  for (const char* name : {"memory.max", "a", "b"}) files_.read(dir_, 7, dir, name, out);
  files_.end();
  change_silently(dir_ + "/memory.max", "2097152\n");
  // Events on one file in a row are merged into one; taking turns between two files, each is
  // queued, until the queue is full.
  int a = ::open((dir_ + "/a").c_str(), O_WRONLY | O_CLOEXEC);
  int b = ::open((dir_ + "/b").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  for (std::uint64_t i = 0; i < *limit / 2 + 100; ++i) {
    ASSERT_EQ(::pwrite(a, "1", 1, 0), 1);
    ASSERT_EQ(::pwrite(b, "1", 1, 0), 1);
  }
  ::close(a);
  ::close(b);
  // memory.max had no event of its own; the overflow says that it may have been lost.
  EXPECT_EQ(scrape(files_, dir_, 7, "memory.max"), "2097152\n");
}

}  // namespace
}  // namespace nodeprobe

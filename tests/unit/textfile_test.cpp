// The textfile collector on fixture directories, compared as full exposition text with
// tests/fixtures/textfile/<case>.golden. Set NODEPROBE_UPDATE_GOLDEN=1 to rewrite the golden
// files, then review every changed line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/exposition.h"
#include "agent/registry.h"

namespace nodeprobe {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFixtures = NODEPROBE_FIXTURES "/textfile";
// What the golden files show in place of the temporary directory.
constexpr std::string_view kDirPlaceholder = "@DIR@";
constexpr std::time_t kMtime = 1700000000;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void set_mtime(const fs::path& path, std::time_t seconds) {
  struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "nodeprobe-textfile-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Copies a fixture case into `to` and gives every file the same mtime, so that the mtime
// gauge is deterministic.
void copy_fixture(std::string_view name, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(fs::path(kFixtures) / name, to, fs::copy_options::recursive);
  for (const auto& entry : fs::recursive_directory_iterator(to)) set_mtime(entry.path(), kMtime);
}

std::unique_ptr<Collector> make_textfile(const std::vector<std::string>& flags) {
  const auto& list = collector_list();
  auto entry = std::find_if(list.begin(), list.end(),
                            [](const CollectorEntry& e) { return e.name == "textfile"; });
  EXPECT_NE(entry, list.end());
  auto collector = entry->create();
  CLI::App app;
  OptionBinder binder(app, "textfile");
  collector->add_options(binder);
  std::vector<std::string> args(flags.rbegin(), flags.rend());  // CLI11 wants them reversed
  app.parse(args);
  collector->configure(HostPaths{});
  return collector;
}

std::string scrape(Collector& collector) {
  MetricSink sink;
  collector.collect(sink);
  EXPECT_EQ(sink.dropped(), 0u);
  std::vector<std::string> problems;
  std::string text;
  for (const auto& f : render_families(sink.take(), &problems)) text += f.text;
  for (const auto& p : problems) ADD_FAILURE() << "render problem: " << p;
  return text;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

void expect_golden(const std::string& text, const fs::path& dir, std::string_view name) {
  std::string actual = replace_all(text, dir.string(), kDirPlaceholder);
  fs::path golden = fs::path(kFixtures) / (std::string(name) + ".golden");
  if (std::getenv("NODEPROBE_UPDATE_GOLDEN") != nullptr) write_text(golden, actual);
  EXPECT_EQ(actual, read_text(golden)) << "golden file " << golden;
}

std::string scrape_fixture(std::string_view name, const TempDir& tmp) {
  copy_fixture(name, tmp.path());
  auto collector = make_textfile({"--collector.textfile.directory=" + tmp.path().string()});
  return scrape(*collector);
}

// Routes the process's log lines into a string for the length of a test.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "textfile_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_));
    logger->set_pattern("%l %v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(std::move(logger));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string take() {
    std::string s = stream_.str();
    stream_.str("");
    return s;
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

constexpr std::string_view kNoError =
    "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 "
    "otherwise\n"
    "# TYPE node_textfile_scrape_error gauge\n"
    "node_textfile_scrape_error 0\n";

constexpr std::string_view kError =
    "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 "
    "otherwise\n"
    "# TYPE node_textfile_scrape_error gauge\n"
    "node_textfile_scrape_error 1\n";

TEST(TextfileCollector, NoDirectoryByDefault) {
  auto collector = make_textfile({});
  EXPECT_EQ(scrape(*collector), kNoError);
}

TEST(TextfileCollector, GoodDirectory) {
  // Two files: a histogram, a summary, escapes, special values, label padding, a family in
  // both files without HELP; a dot file and a .txt file that are not read.
  TempDir tmp;
  expect_golden(scrape_fixture("good", tmp), tmp.path(), "good");
}

TEST(TextfileCollector, MalformedFilesAreDroppedOthersServed) {
  TempDir tmp;
  expect_golden(scrape_fixture("mixed", tmp), tmp.path(), "mixed");
}

TEST(TextfileCollector, TimestampsDropTheWholeFile) {
  TempDir tmp;
  expect_golden(scrape_fixture("timestamps", tmp), tmp.path(), "timestamps");
}

TEST(TextfileCollector, ConflictingAndReservedFamiliesAreDropped) {
  // a.prom and c.prom agree and merge; b.prom retypes jobs_total, gives queue_depth another
  // HELP and brings two reserved families: those are dropped, its workers family is served.
  CapturedLog log;
  TempDir tmp;
  expect_golden(scrape_fixture("conflict", tmp), tmp.path(), "conflict");
  // One line for b.prom, naming its first problem.
  EXPECT_EQ(replace_all(log.take(), tmp.path().string(), kDirPlaceholder),
            "warning msg=\"failed to collect textfile data\" file=@DIR@/b.prom err=\"family "
            "jobs_total is a gauge here but a counter in @DIR@/a.prom (and 3 more)\"\n");
}

TEST(TextfileCollector, UnreadableDirectoryOrFileIsAnError) {
  TempDir tmp;
  auto absent =
      make_textfile({"--collector.textfile.directory=" + (tmp.path() / "absent").string()});
  EXPECT_EQ(scrape(*absent), kError);

  // A directory named like a text file cannot be read as one.
  fs::create_directory(tmp.path() / "dir.prom");
  auto with_dir = make_textfile({"--collector.textfile.directory=" + tmp.path().string()});
  EXPECT_EQ(scrape(*with_dir), kError);
}

TEST(TextfileCollector, OversizedFileIsAnError) {
  TempDir tmp;
  write_text(tmp.path() / "small.prom", "small_metric 1\n");
  set_mtime(tmp.path() / "small.prom", kMtime);
  // Valid text just over the 16 MiB cap: it is the size, not the content, that fails.
  std::string big;
  std::string line = "# padding comment line of the oversized text file...........\n";
  while (big.size() <= (std::size_t{16} << 20)) big += line;
  write_text(tmp.path() / "big.prom", big);
  auto collector = make_textfile({"--collector.textfile.directory=" + tmp.path().string()});
  std::string text = replace_all(scrape(*collector), tmp.path().string(), kDirPlaceholder);
  EXPECT_EQ(text,
            "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
            "# TYPE node_textfile_mtime_seconds gauge\n"
            "node_textfile_mtime_seconds{file=\"@DIR@/small.prom\"} 1.7e+09\n" +
                std::string(kError) +
                "# HELP small_metric Metric read from @DIR@/small.prom\n"
                "# TYPE small_metric untyped\n"
                "small_metric 1\n");
}

TEST(TextfileCollector, GlobSelectsSeveralDirectories) {
  // node_exporter 1.5 reads the flag as a glob.
  TempDir tmp;
  fs::create_directories(tmp.path() / "one");
  fs::create_directories(tmp.path() / "two");
  write_text(tmp.path() / "one" / "x.prom", "# TYPE shared gauge\nshared{from=\"one\"} 1\n");
  write_text(tmp.path() / "two" / "y.prom", "# TYPE shared gauge\nshared{from=\"two\"} 2\n");
  set_mtime(tmp.path() / "one" / "x.prom", kMtime);
  set_mtime(tmp.path() / "two" / "y.prom", kMtime);
  auto collector = make_textfile({"--collector.textfile.directory=" + tmp.path().string() + "/*"});
  std::string text = replace_all(scrape(*collector), tmp.path().string(), kDirPlaceholder);
  EXPECT_EQ(text,
            "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
            "# TYPE node_textfile_mtime_seconds gauge\n"
            "node_textfile_mtime_seconds{file=\"@DIR@/one/x.prom\"} 1.7e+09\n"
            "node_textfile_mtime_seconds{file=\"@DIR@/two/y.prom\"} 1.7e+09\n" +
                std::string(kNoError) +
                "# HELP shared Metric read from @DIR@/one/x.prom, @DIR@/two/y.prom\n"
                "# TYPE shared gauge\n"
                "shared{from=\"one\"} 1\n"
                "shared{from=\"two\"} 2\n");
}

TEST(TextfileCollector, LogsWhenAFileStartsAndStopsFailing) {
  CapturedLog log;
  TempDir tmp;
  write_text(tmp.path() / "job.prom", "job_ok 1\n");
  auto collector = make_textfile({"--collector.textfile.directory=" + tmp.path().string()});
  std::string file = (tmp.path() / "job.prom").string();

  scrape(*collector);
  EXPECT_EQ(log.take(), "");

  write_text(tmp.path() / "job.prom", "job_ok 1\njob_half_writ");
  scrape(*collector);
  EXPECT_EQ(log.take(), "warning msg=\"failed to collect textfile data\" file=" + file +
                            " err=\"text format parsing error in line 2: unexpected end of input "
                            "stream\"\n");
  // Still failing: nothing more in the log, but the error stays visible in the metric.
  EXPECT_NE(scrape(*collector).find("node_textfile_scrape_error 1\n"), std::string::npos);
  EXPECT_EQ(log.take(), "");

  write_text(tmp.path() / "job.prom", "job_ok 1\n");
  EXPECT_NE(scrape(*collector).find("node_textfile_scrape_error 0\n"), std::string::npos);
  EXPECT_EQ(log.take(),
            "info msg=\"textfile collector reads this path again\" file=" + file + "\n");

  fs::remove(tmp.path() / "job.prom");
  fs::remove(tmp.path());
  scrape(*collector);
  EXPECT_EQ(log.take(), "warning msg=\"failed to read textfile collector directory\" path=" +
                            tmp.path().string() + " err=\"No such file or directory\"\n");
  scrape(*collector);
  EXPECT_EQ(log.take(), "");
}

}  // namespace
}  // namespace nodeprobe

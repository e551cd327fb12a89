// The small shared pieces: bounded reads, field parsing, gzip, query strings, log lines.
#include <dirent.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "agent/gzip.h"
#include "agent/host_paths.h"
#include "agent/http_server.h"
#include "agent/logging.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::TempDir;

TEST(HostPaths, JoinsUnderTheRoot) {
  HostPaths p;
  p.procfs = "/host/proc/";
  EXPECT_EQ(p.proc("meminfo"), "/host/proc/meminfo");
  EXPECT_EQ(p.proc("/pressure/cpu"), "/host/proc/pressure/cpu");
  EXPECT_EQ(p.root("etc/os-release"), "/etc/os-release");
}

TEST(ReadFile, ReadsProcFilesWhoseSizeIsZero) {
  std::string text = read_file("/proc/self/status");
  EXPECT_NE(text.find("Name:"), std::string::npos);
}

TEST(ReadFile, CapsAndReportsErrors) {
  auto dir =
      std::filesystem::temp_directory_path() / ("nodeprobe-read-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "big").string();
  std::ofstream(path) << std::string(10000, 'x');
  EXPECT_EQ(read_file(path, 10000).size(), 10000u);
  EXPECT_THROW(read_file(path, 9999), FileError);
  std::ofstream(dir / "empty").close();
  EXPECT_EQ(read_file((dir / "empty").string()), "");
  try {
    read_file((dir / "missing").string());
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_TRUE(e.not_found());
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos);
  }
  std::string out;
  int err = 0;
  EXPECT_FALSE(try_read_file(dir.string(), out, err));  // a directory
  EXPECT_EQ(err, EISDIR);
  std::filesystem::remove_all(dir);
}

// The first word of each line: the keys a parser looks for, which do not change between reads.
std::vector<std::string> line_keys(std::string_view text) {
  std::vector<std::string> keys;
  for_each_line(text, [&](std::string_view line) { keys.emplace_back(next_field(line)); });
  return keys;
}

// ReadEnd::kShortRead is used on these files because the kernel renders each of them whole in
// one call; read both ways, each must come out whole (values move between the two reads, the
// lines and their keys do not).
TEST(ReadFile, StoppingAtAShortReadGetsSingleShowProcFilesWhole) {
  for (const char* path : {"/proc/stat", "/proc/meminfo", "/proc/loadavg", "/proc/pressure/cpu",
                           "/proc/sys/fs/file-nr", "/proc/self/stat", "/proc/self/status"}) {
    SCOPED_TRACE(path);
    std::string to_zero, to_short;
    int err = 0;
    if (!try_read_file(path, to_zero, err)) {
      ASSERT_EQ(err, ENOENT) << "only an absent file (no PSI in this kernel) may be skipped";
      continue;
    }
    ASSERT_TRUE(try_read_file(path, to_short, err, kDefaultReadCap, ReadEnd::kShortRead));
    ASSERT_FALSE(to_short.empty());
    EXPECT_EQ(to_short.back(), '\n');
    EXPECT_EQ(line_keys(to_short), line_keys(to_zero));
    EXPECT_EQ(split_fields(to_short).size(), split_fields(to_zero).size());
  }
}

TEST(ReadFile, StoppingAtAShortReadStillReadsPastTheFirstPage) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + "\n";
  dir.write("big", text);
  std::string out;
  int err = 0;
  ASSERT_TRUE(try_read_file(dir.path() + "/big", out, err, kDefaultReadCap, ReadEnd::kShortRead));
  EXPECT_EQ(out, text);
}

TEST(ForEachEntry, ListsEveryEntryOnceWithItsType) {
  TempDir dir;
  // Names long enough that the listing takes several getdents64 calls.
  std::set<std::string> written;
  for (int i = 0; i < 1500; ++i) {
    std::string name = std::string(120, 'n') + std::to_string(i) + ".prom";
    dir.write(name, "x");
    written.insert(name);
  }
  std::filesystem::create_directory(std::filesystem::path(dir.path()) / "sub");
  std::multiset<std::string> seen;
  bool sub_is_dir = false, files_are_regular = true;
  int err = -1;
  ASSERT_TRUE(for_each_entry(
      dir.path(),
      [&](const DirEntry& e) {
        seen.emplace(e.name);
        EXPECT_NE(e.inode, 0u);
        if (e.name == "sub") {
          sub_is_dir = e.type == DT_DIR;
        } else {
          files_are_regular = files_are_regular && e.type == DT_REG;
        }
      },
      err));
  EXPECT_EQ(err, 0);
  EXPECT_EQ(seen.size(), written.size() + 1);
  EXPECT_EQ(seen.count("sub"), 1u);
  EXPECT_EQ(seen.count("."), 0u);
  EXPECT_EQ(seen.count(".."), 0u);
  for (const auto& name : written) EXPECT_EQ(seen.count(name), 1u) << name;
  EXPECT_TRUE(sub_is_dir);
  EXPECT_TRUE(files_are_regular);
}

TEST(ForEachEntry, EmptyMissingAndNotADirectory) {
  TempDir dir;
  int calls = 0;
  int err = -1;
  auto count = [&](const DirEntry&) { ++calls; };
  EXPECT_TRUE(for_each_entry(dir.path(), count, err));
  EXPECT_EQ(err, 0);
  EXPECT_FALSE(for_each_entry(dir.path() + "/missing", count, err));
  EXPECT_EQ(err, ENOENT);
  dir.write("file", "x");
  EXPECT_FALSE(for_each_entry(dir.path() + "/file", count, err));
  EXPECT_EQ(err, ENOTDIR);
  EXPECT_EQ(calls, 0);
}

TEST(Parse, NameCharactersAreAsciiOnly) {
  std::string all;
  for (int c = 1; c < 256; ++c) {
    if (is_name_char(static_cast<char>(c))) all.push_back(static_cast<char>(c));
  }
  EXPECT_EQ(all, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");
}

TEST(Parse, Numbers) {
  EXPECT_EQ(parse_double("1.5"), 1.5);
  EXPECT_EQ(parse_double("+2"), 2.0);
  EXPECT_EQ(parse_double("-3e2"), -300.0);
  EXPECT_FALSE(parse_double(""));
  EXPECT_FALSE(parse_double("1x"));
  EXPECT_FALSE(parse_double("abc"));
  EXPECT_EQ(parse_uint("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(parse_uint("18446744073709551616"));
  EXPECT_FALSE(parse_uint("-1"));
  EXPECT_EQ(parse_int("-1"), -1);
  EXPECT_EQ(parse_hex("0000001a"), 26u);
  EXPECT_EQ(parse_hex("ffffffffffffffff"), 18446744073709551615ull);
  EXPECT_FALSE(parse_hex(""));
  EXPECT_FALSE(parse_hex("0x1a"));
  EXPECT_FALSE(parse_hex("1g"));
  EXPECT_FALSE(parse_hex("10000000000000000"));
}

TEST(Parse, FieldsAndLines) {
  EXPECT_EQ(split_fields("  a\tb  c \n"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(split_fields("").empty());
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  std::vector<std::string_view> lines;
  for_each_line("one\ntwo\n\nthree", [&](std::string_view l) { lines.push_back(l); });
  EXPECT_EQ(lines, (std::vector<std::string_view>{"one", "two", "", "three"}));
  EXPECT_EQ(trim(" \tx y\n"), "x y");
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  std::string out(in.size() * 20 + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "<inflate failed>";
}

TEST(Gzip, RoundTripsAndNegotiates) {
  std::string body;
  for (int i = 0; i < 1000; ++i)
    body += "node_cpu_seconds_total{cpu=\"" + std::to_string(i) + "\"} 1\n";
  std::string compressed;
  ASSERT_TRUE(gzip_compress(body, compressed));
  EXPECT_LT(compressed.size(), body.size() / 4);
  EXPECT_EQ(gunzip(compressed), body);
  ASSERT_TRUE(gzip_compress("", compressed));
  EXPECT_EQ(gunzip(compressed), "");
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("gzip;q=garbage"));
}

TEST(Query, DecodesRepeatedKeys) {
  EXPECT_EQ(query_values("collect[]=cpu&collect%5B%5D=meminfo&x=1", "collect[]"),
            (std::vector<std::string>{"cpu", "meminfo"}));
  EXPECT_EQ(query_values("collect[]", "collect[]"), std::vector<std::string>{""});
  EXPECT_TRUE(query_values("", "collect[]").empty());
  EXPECT_EQ(url_decode("a%2"), "a%2");
  EXPECT_EQ(url_decode("%zz+%41"), "%zz A");
}

TEST(Logging, LogfmtAndJsonEscape) {
  EXPECT_EQ(log::render_fields(log::Format::kLogfmt, "hello \"world\"",
                               {{"collector", "cpu"}, {"err", "a b"}, {"empty", ""}}),
            "msg=\"hello \\\"world\\\"\" collector=cpu err=\"a b\" empty=\"\"");
  EXPECT_EQ(log::render_fields(log::Format::kJson, "line\nbreak", {{"k", "v\x01"}}),
            ",\"msg\":\"line\\nbreak\",\"k\":\"v\\u0001\"}");
}

}  // namespace
}  // namespace nodeprobe

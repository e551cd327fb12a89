#include "collectors/os.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "agent/collector.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using namespace std::string_literals;
using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

using Release = std::map<std::string, std::string>;

TEST(ParseOsRelease, RealSample) {
  auto r = parse_os_release(
      "# comment\n"
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\n"
      "VERSION=\"12 (bookworm)\"\n"
      "VERSION_CODENAME=bookworm\n"
      "ID=debian\n"
      "HOME_URL=\"https://www.debian.org/\"\n");
  EXPECT_EQ(r, (Release{{"PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)"},
                        {"NAME", "Debian GNU/Linux"},
                        {"VERSION_ID", "12"},
                        {"VERSION", "12 (bookworm)"},
                        {"VERSION_CODENAME", "bookworm"},
                        {"ID", "debian"},
                        {"HOME_URL", "https://www.debian.org/"}}));
}

TEST(ParseOsRelease, QuotingAndEscapes) {
  // os-release(5): shell-compatible assignments; "$", quotes, backslash and backtick are
  // escaped with a backslash.
  auto r = parse_os_release(
      "A='single \"quoted\" $x'\n"
      "B=\"a \\\"b\\\" \\\\ \\$HOME \\`x\\`\"\n"
      "C=\"kept \\n backslash\"\n"
      "D=bare\\ word\n"
      "E=\"\"\n"
      "F=\n"
      "G=\"two\"'parts'\n"
      "  H = spaced  \n"
      "I=\"#not a comment\"\n"
      "J=value # trailing comment\n"
      "K=a#b\n"
      "L=\"quoted\"   # comment\n"
      "M=\"  inner spaces  \"\n");
  EXPECT_EQ(r["A"], "single \"quoted\" $x");
  EXPECT_EQ(r["B"], "a \"b\" \\ $HOME `x`");
  EXPECT_EQ(r["C"], "kept \\n backslash");
  EXPECT_EQ(r["D"], "bare word");
  EXPECT_EQ(r["E"], "");
  EXPECT_EQ(r["F"], "");
  EXPECT_EQ(r["G"], "twoparts");
  EXPECT_EQ(r["H"], "spaced");
  EXPECT_EQ(r["I"], "#not a comment");
  EXPECT_EQ(r["J"], "value");
  EXPECT_EQ(r["K"], "a#b");
  EXPECT_EQ(r["L"], "quoted");
  EXPECT_EQ(r["M"], "  inner spaces  ");
  EXPECT_EQ(r.size(), 13u);
}

TEST(ParseOsRelease, CommentsAndLaterAssignmentsWin) {
  auto r = parse_os_release("#ID=commented\n   # indented comment\nID=first\nID=second\n");
  EXPECT_EQ(r, (Release{{"ID", "second"}}));
}

TEST(ParseOsRelease, EmptyAndTruncated) {
  EXPECT_TRUE(parse_os_release("").empty());
  EXPECT_TRUE(parse_os_release("\n\n").empty());
  auto r = parse_os_release("PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubu");
  EXPECT_EQ(r, (Release{{"PRETTY_NAME", "Ubuntu 22.04.4 LTS"}}));
  EXPECT_TRUE(parse_os_release("ID").empty());
  EXPECT_TRUE(parse_os_release("ID=a\\").empty());
}

TEST(ParseOsRelease, GarbageIsSkipped) {
  auto r = parse_os_release(
      "\177ELF\x02\x01\x00\xff\xfe\n"
      "=novalue\n"
      "9KEY=1\n"
      "BAD-KEY=1\n"
      "VERSION_ID='unterminated\n"
      "ID=\xff\xfeubuntu\n"s);
  EXPECT_EQ(r, (Release{{"ID", "\xff\xfeubuntu"}}));
}

TEST(ParseOsRelease, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    text += "KEY_" + std::to_string(i) + "=\"value " + std::to_string(i) + "\"\n";
  }
  auto r = parse_os_release(text);
  EXPECT_EQ(r.size(), 100000u);
  EXPECT_EQ(r["KEY_99999"], "value 99999");
}

TEST(OsVersionNumber, MajorMinor) {
  EXPECT_EQ(os_version_number("22.04"), 22.04);
  EXPECT_EQ(os_version_number("22.04.3"), 22.04);
  EXPECT_EQ(os_version_number("12"), 12);
  EXPECT_EQ(os_version_number("12."), 12);
  EXPECT_EQ(os_version_number("9.2b"), 9.2);
  EXPECT_EQ(os_version_number("39abc"), 39);
  EXPECT_EQ(os_version_number("2023.1.20230912"), 2023.1);
  EXPECT_FALSE(os_version_number(""));
  EXPECT_FALSE(os_version_number("rolling"));
  EXPECT_FALSE(os_version_number(".5"));
  EXPECT_FALSE(os_version_number("\xff"));
  EXPECT_FALSE(os_version_number(std::string(100000, '7')));  // out of a double's range
}

TEST(OsSupportEnd, Dates) {
  EXPECT_EQ(os_support_end_seconds("2027-06-30"), 1814313600);
  EXPECT_EQ(os_support_end_seconds("1970-01-01"), 0);
  EXPECT_FALSE(os_support_end_seconds(""));
  EXPECT_FALSE(os_support_end_seconds("2027-06"));
  EXPECT_FALSE(os_support_end_seconds("2027-6-30"));
  EXPECT_FALSE(os_support_end_seconds("2027-13-01"));
  EXPECT_FALSE(os_support_end_seconds("2027-02-30"));
  EXPECT_FALSE(os_support_end_seconds("2027-06-30T00:00"));
}

TEST(OsCollector, MatchesGolden) {
  expect_golden(collect_text("os", fixture_paths("host")), "host/os.golden");
}

TEST(OsCollector, FallsBackToUsrLib) {
  TempDir tree;
  tree.write("root/usr/lib/os-release",
             "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=39\nVARIANT=\"Server Edition\"\n"
             "VARIANT_ID=server\nSUPPORT_END=2024-11-12\n");
  auto text = collect_text("os", fixture_paths(tree.path()));
  EXPECT_NE(text.find("variant=\"Server Edition\",variant_id=\"server\""), std::string::npos);
  EXPECT_NE(text.find("node_os_version{id=\"fedora\",id_like=\"\",name=\"Fedora Linux\"} 39\n"),
            std::string::npos);
  EXPECT_NE(text.find("node_os_support_end_timestamp_seconds 1.7313696e+09\n"), std::string::npos);
}

TEST(OsCollector, NoVersionFamilyForAZeroOrMissingVersion) {
  TempDir tree;
  tree.write("root/etc/os-release", "ID=arch\nBUILD_ID=rolling\n");
  auto text = collect_text("os", fixture_paths(tree.path()));
  EXPECT_NE(text.find("node_os_info{build_id=\"rolling\""), std::string::npos);
  EXPECT_EQ(text.find("node_os_version"), std::string::npos);
  tree.write("root/etc/os-release", "ID=x\nVERSION_ID=0\n");
  EXPECT_EQ(collect_text("os", fixture_paths(tree.path())).find("node_os_version"),
            std::string::npos);
}

TEST(OsCollector, AnUpgradedFileIsReadAgain) {
  // One collector across scrapes, as the agent keeps it: it reads the file again only when the
  // file is another or has changed.
  TempDir tree;
  tree.write("root/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  CollectorHarness os("os", fixture_paths(tree.path()));
  EXPECT_NE(os.collect().find("} 12\n"), std::string::npos);
  EXPECT_NE(os.collect().find("} 12\n"), std::string::npos);
  // Rewritten in place (same inode, another size and time).
  tree.write("root/etc/os-release", "ID=debian\nVERSION_ID=\"13\"\nVERSION_CODENAME=trixie\n");
  auto rewritten = os.collect();
  EXPECT_NE(rewritten.find("} 13\n"), std::string::npos) << rewritten;
  EXPECT_NE(rewritten.find("version_codename=\"trixie\""), std::string::npos);
  // Replaced by another file of the same size (a package upgrade renames a new file over it).
  tree.write("root/etc/os-release.new", "ID=debian\nVERSION_ID=\"14\"\nVERSION_CODENAME=forky\n\n");
  std::filesystem::rename(tree.path() + "/root/etc/os-release.new",
                          tree.path() + "/root/etc/os-release");
  EXPECT_NE(os.collect().find("} 14\n"), std::string::npos);
  // Gone: the /usr/lib one, then none.
  std::filesystem::remove(tree.path() + "/root/etc/os-release");
  tree.write("root/usr/lib/os-release", "ID=debian\nVERSION_ID=\"15\"\n");
  EXPECT_NE(os.collect().find("} 15\n"), std::string::npos);
  std::filesystem::remove(tree.path() + "/root/usr/lib/os-release");
  EXPECT_THROW(os.collect(), FeatureAbsent);
}

TEST(OsCollector, NoFileIsAnAbsentFeature) {
  TempDir tree;
  tree.write("root/etc/hostname", "x\n");
  EXPECT_THROW(collect_text("os", fixture_paths(tree.path())), FeatureAbsent);
}

}  // namespace
}  // namespace nodeprobe

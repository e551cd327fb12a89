#include "agent/name_filter.h"

#include <gtest/gtest.h>

#include "agent/collector.h"

namespace nodeprobe {
namespace {

TEST(NameFilter, MatchesAnywhereLikeGoAndRemembersAnswers) {
  NameFilter f;
  f.compile("^(oom_kill|pgpg|pswp|pg.*fault).*", "--collector.vmstat.fields");
  for (int round = 0; round < 2; ++round) {  // the second round answers from the cache
    EXPECT_TRUE(f.matches("pgfault"));
    EXPECT_TRUE(f.matches("pgmajfault"));
    EXPECT_TRUE(f.matches("oom_kill"));
    EXPECT_FALSE(f.matches("nr_free_pages"));
    EXPECT_FALSE(f.matches(""));
  }
  NameFilter anywhere;
  anywhere.compile("InErrors", "--collector.netstat.fields");
  EXPECT_TRUE(anywhere.matches("Tcp_InErrors"));
}

TEST(NameFilter, RecompilingForgetsOldAnswers) {
  NameFilter f;
  f.compile("^a", "--x");
  EXPECT_TRUE(f.matches("abc"));
  f.compile("^b", "--x");
  EXPECT_FALSE(f.matches("abc"));
}

TEST(NameFilter, ManyDistinctNamesStayCorrectPastTheCacheBound) {
  NameFilter f;
  f.compile("7$", "--x");
  for (int i = 0; i < 10000; ++i) {
    EXPECT_EQ(f.matches("field" + std::to_string(i)), i % 10 == 7) << i;
  }
}

TEST(NameFilter, InvalidRegexNamesTheFlag) {
  NameFilter f;
  try {
    f.compile("(", "--collector.netstat.fields");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.netstat.fields");
  }
}

}  // namespace
}  // namespace nodeprobe

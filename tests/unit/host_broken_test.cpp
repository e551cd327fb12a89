// The host collectors on broken fixture trees: every file empty, cut mid-line, or garbage
// (tests/fixtures/broken/<variant>), and a tree with no files at all. A collector may fail
// (the framework catches it and reports node_scrape_collector_success 0) or emit what it could
// parse; it never crashes and never emits invalid output. The goldens freeze which it does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/collector.h"
#include "agent/parse.h"
#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_path;
using testing::fixture_paths;
using testing::TempDir;

struct Run {
  std::string collector;
  std::vector<std::string> args;
};

// Every option that makes a collector read more, so that every file is read.
const std::vector<Run> kRuns = {
    {"cpu",
     {"--collector.cpu.info", "--collector.cpu.info.flags-include=.",
      "--collector.cpu.info.bugs-include=."}},
    {"cpu", {}},
    {"filefd", {}},
    {"loadavg", {}},
    {"meminfo", {}},
    {"os", {}},
    {"pressure", {}},
    {"stat", {"--collector.stat.softirq"}},
    {"time", {}},
    {"uname", {}},
    {"vmstat", {"--collector.vmstat.fields=."}},
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// What one run did, as golden text: its output, or the error it failed with.
std::string outcome(const Run& run, const HostPaths& paths) {
  std::string head = "== " + run.collector;
  for (const auto& a : run.args) head += " " + a;
  head += "\n";
  CollectorHarness harness(run.collector, paths, run.args);
  std::string text;
  try {
    text = harness.collect();
  } catch (const FeatureAbsent& e) {
    return head + "absent: " + replace_all(e.what(), NODEPROBE_FIXTURES, "<fixtures>") + "\n";
  } catch (const std::exception& e) {
    return head + "error: " + replace_all(e.what(), NODEPROBE_FIXTURES, "<fixtures>") + "\n";
  }
  EXPECT_TRUE(harness.problems().empty())
      << run.collector << " emitted invalid output: " << harness.problems().front();
  // Of time and uname, only what comes from files is the same on every host.
  if (run.collector == "uname") return head + "ok\n";
  if (run.collector == "time") {
    std::string files;
    for_each_line(text, [&](std::string_view line) {
      if (line.find("clocksource") != std::string_view::npos) files.append(line).push_back('\n');
    });
    text = files;
  }
  return head + text;
}

class BrokenTree : public ::testing::TestWithParam<const char*> {};

TEST_P(BrokenTree, CollectorsFailOrEmitWhatParsed) {
  std::string variant = GetParam();
  std::string all;
  for (const auto& run : kRuns) all += outcome(run, fixture_paths("broken/" + variant));
  expect_golden(all, "broken/" + variant + ".golden");
}

INSTANTIATE_TEST_SUITE_P(Variants, BrokenTree, ::testing::Values("empty", "truncated", "garbage"));

TEST(MissingFiles, EveryFileReadingCollectorFails) {
  TempDir empty;
  auto paths = fixture_paths(empty.path());
  for (const auto& run : kRuns) {
    CollectorHarness harness(run.collector, paths, run.args);
    if (run.collector == "pressure" || run.collector == "os") {
      // A kernel without PSI, an image without os-release: absent features, not errors.
      EXPECT_THROW(harness.collect(), FeatureAbsent) << run.collector;
    } else if (run.collector == "time" || run.collector == "uname") {
      // The clock and uname(2) need no file; the clock sources are left out.
      auto text = harness.collect();
      EXPECT_EQ(text.find("clocksource"), std::string::npos);
    } else {
      try {
        harness.collect();
        ADD_FAILURE() << run.collector << " succeeded without its files";
      } catch (const FeatureAbsent& e) {
        ADD_FAILURE() << run.collector << ": a missing file is an error here: " << e.what();
      } catch (const std::exception& e) {
        // The error names the file under the fixture root: nothing was read from the host.
        EXPECT_NE(std::string(e.what()).find(empty.path()), std::string::npos) << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace nodeprobe

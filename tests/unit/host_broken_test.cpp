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
using testing::describe_run;
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

// Of time and uname, only what comes from files is the same on every host.
std::string keep_file_based(const std::string& text) {
  std::string files;
  for_each_line(text, [&](std::string_view line) {
    if (line.find("clocksource") != std::string_view::npos) files.append(line).push_back('\n');
  });
  return files;
}

std::string outcome(const Run& run, const HostPaths& paths) {
  if (run.collector == "uname") {
    // uname(2) reads no file: only whether it ran is the same on every host.
    std::string out = describe_run(run.collector, paths, run.args);
    auto body = out.find('\n') + 1;
    bool failed = out.compare(body, 6, "error:") == 0 || out.compare(body, 7, "absent:") == 0;
    return failed ? out : out.substr(0, body) + "ok\n";
  }
  return describe_run(run.collector, paths, run.args,
                      run.collector == "time" ? &keep_file_based : nullptr);
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

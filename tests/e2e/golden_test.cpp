// The whole exposition of the real binary on the fixture host, frozen in a golden file, and
// checked by the real promtool.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>

#include "tests/e2e/agent_process.h"
#include "tests/e2e/exposition_reader.h"

namespace nodeprobe::e2e {
namespace {

const std::string kGolden = kFixtures + "/e2e/metrics.golden";

std::vector<std::string> fixture_host_args() {
  return {"--path.procfs=" + kFixtures + "/host/proc",
          "--path.sysfs=" + kFixtures + "/host/sys",
          "--path.rootfs=" + kFixtures + "/host/root",
          "--collector.disable-defaults",
          "--collector.cpu",
          "--collector.loadavg",
          "--collector.meminfo",
          "--collector.stat",
          "--collector.vmstat",
          "--collector.filefd",
          "--collector.pressure",
          "--collector.os",
          "--web.disable-exporter-metrics"};
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return out;
}

// The lines only one side has, in order, for a failure message a reviewer can act on.
std::string line_diff(const std::string& want, const std::string& got) {
  auto w = lines_of(want);
  auto g = lines_of(got);
  std::multiset<std::string> ws(w.begin(), w.end());
  std::multiset<std::string> gs(g.begin(), g.end());
  std::string out;
  int shown = 0;
  for (const auto& l : w) {
    if (gs.count(l) == 0 && shown++ < 40) out += "- " + l + "\n";
  }
  for (const auto& l : g) {
    if (ws.count(l) == 0 && shown++ < 80) out += "+ " + l + "\n";
  }
  if (out.empty()) out = "(same lines, different order)\n";
  return out;
}

TEST(Golden, FixtureHostExpositionMatchesTheGoldenFile) {
  AgentProcess agent(fixture_host_args());
  ASSERT_TRUE(agent.ready()) << agent.failure();
  auto r = agent.get("/metrics");
  ASSERT_EQ(r.status, 200) << r.error << r.body;

  // Every collector must have worked on the fixture tree; the golden file would freeze a
  // failure otherwise.
  auto parsed = read_exposition(r.body);
  EXPECT_TRUE(parsed.unreadable_lines.empty()) << parsed.unreadable_lines.front();
  const auto* success = parsed.find("node_scrape_collector_success");
  ASSERT_NE(success, nullptr);
  EXPECT_EQ(success->samples.size(), 8u);
  for (const auto& s : success->samples) {
    EXPECT_EQ(s.value, "1") << "collector " << s.labels.at("collector") << " failed:\n"
                            << agent.log();
  }

  // Durations and the build's version and revision change from run to run; their HELP and
  // TYPE lines stay.
  std::string stable = drop_families(
      r.body, {"node_scrape_collector_duration_seconds", "nodeprobe_build_info"}, false);
  const char* update = std::getenv("NODEPROBE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(kGolden, std::ios::binary) << stable;
    std::cout << "wrote " << kGolden << "\n";
  }
  std::string golden = read_whole_file(kGolden);
  ASSERT_FALSE(golden.empty()) << kGolden << " is missing; run with NODEPROBE_UPDATE_GOLDEN=1";
  EXPECT_TRUE(golden == stable) << "the exposition differs from " << kGolden
                                << " (regenerate with NODEPROBE_UPDATE_GOLDEN=1 and review "
                                   "every changed line):\n"
                                << line_diff(golden, stable);
}

// promtool's lint findings that come from node_exporter's own metric names, which nodeprobe
// keeps for compatibility. Anything else promtool says is a failure.
struct AllowedFinding {
  std::regex metric;
  std::string message;
};

const std::vector<AllowedFinding>& allowed_findings() {
  static const std::vector<AllowedFinding> list = {
      // /proc/meminfo field names, kept as node_exporter spells them (node_memory_MemTotal_bytes).
      {std::regex("node_memory_[A-Za-z0-9_]+"),
       "metric names should be written in 'snake_case' not 'camelCase'"},
  };
  return list;
}

TEST(Golden, PromtoolAcceptsTheFullScrape) {
  AgentProcess agent(fixture_host_args());
  ASSERT_TRUE(agent.ready()) << agent.failure();
  auto r = agent.get("/metrics");
  ASSERT_EQ(r.status, 200) << r.error;

  auto check = run_command({"/usr/bin/promtool", "check", "metrics"}, r.body);
  ASSERT_TRUE(check.exit_code) << "promtool did not finish";
  // 0: clean; 3: lint findings only (1 would be a parse error).
  ASSERT_TRUE(*check.exit_code == 0 || *check.exit_code == 3)
      << "promtool exit " << *check.exit_code << ":\n"
      << check.out << check.err;
  int findings = 0;
  for (const auto& line : lines_of(check.out + check.err)) {
    if (line.empty()) continue;
    ++findings;
    auto space = line.find(' ');
    std::string metric = line.substr(0, space);
    std::string message = space == std::string::npos ? "" : line.substr(space + 1);
    bool allowed = false;
    for (const auto& a : allowed_findings()) {
      allowed |= std::regex_match(metric, a.metric) && message == a.message;
    }
    EXPECT_TRUE(allowed) << "promtool: " << line;
  }
  EXPECT_EQ(findings == 0, *check.exit_code == 0) << check.out << check.err;
}

}  // namespace
}  // namespace nodeprobe::e2e

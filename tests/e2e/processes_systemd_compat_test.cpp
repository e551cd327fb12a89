// nodeprobe beside the Debian node_exporter for two collectors that both leave off by default and
// that compat_test.cpp therefore does not run:
// - systemd, on one D-Bus bus with the systemd stand-in (tests/helpers/systemd_standin.cpp), as
//   PID 1 is not systemd where the tests run: the node_systemd_* text must be the same, line for
//   line;
// - processes, on this host's live process table: the same families, HELP, TYPE and labels, and
//   the same limits (the counts move between the two scrapes).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <thread>

#include "tests/e2e/agent_process.h"
#include "tests/unit/systemd_bus.h"

namespace nodeprobe::e2e {
namespace {

const std::string kNodeExporter = "/usr/bin/prometheus-node-exporter";

// The lines of `body` that start with one of `prefixes`, sorted: the two agents order families
// and series each their own way.
std::vector<std::string> lines_of(const std::string& body, std::vector<std::string> prefixes) {
  std::vector<std::string> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    for (const auto& p : prefixes) {
      if (line.starts_with(p)) {
        lines.push_back(line);
        break;
      }
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Both agents started with the same flags and scraped back to back.
class SideBySide : public ::testing::Test {
 protected:
  void scrape_both(const std::vector<std::string>& args) {
    if (::access(kNodeExporter.c_str(), X_OK) != 0) {
      GTEST_SKIP() << kNodeExporter
                   << " is not installed (scripts/install-deps.sh installs "
                      "prometheus-node-exporter)";
    }
    AgentProcess nodeprobe(args);
    ASSERT_TRUE(nodeprobe.ready()) << nodeprobe.failure();
    // node_exporter cannot report a port it picked itself; take one that was free just now, and
    // another if something took it in between.
    std::unique_ptr<ChildProcess> exporter;
    for (int attempt = 0; attempt < 3 && theirs_.status != 200; ++attempt) {
      int port = pick_free_port();
      std::vector<std::string> argv = {kNodeExporter,
                                       "--web.listen-address=127.0.0.1:" + std::to_string(port)};
      argv.insert(argv.end(), args.begin(), args.end());
      exporter = std::make_unique<ChildProcess>(argv);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (exporter->running() && std::chrono::steady_clock::now() < deadline) {
        theirs_ = http_get("127.0.0.1", port, "/metrics");
        if (theirs_.status == 200) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    ASSERT_EQ(theirs_.status, 200) << "node_exporter did not serve:\n" << exporter->stderr_text();
    ours_ = nodeprobe.get("/metrics");
    ASSERT_EQ(ours_.status, 200) << ours_.error;
  }

  HttpResponse theirs_, ours_;
};

TEST_F(SideBySide, SystemdSameSeriesAsNodeExporterOnTheSameBus) {
  // DBUS_SYSTEM_BUS_ADDRESS names the stand-in's bus for both children.
  testing::SystemdBus bus(read_whole_file(kFixtures + "/systemd/units.spec"));
  // Debian's node_exporter also excludes .target units by default (a Debian patch); upstream's
  // default exclude, which nodeprobe has, is given to both.
  ASSERT_NO_FATAL_FAILURE(scrape_both({"--collector.disable-defaults", "--collector.systemd",
                                       "--collector.systemd.enable-task-metrics",
                                       "--collector.systemd.enable-restarts-metrics",
                                       "--collector.systemd.enable-start-time-metrics",
                                       "--collector.systemd.unit-exclude=.+\\.(automount|device|"
                                       "mount|scope|slice)"}));
  if (IsSkipped()) return;
  const std::vector<std::string> systemd = {"node_systemd_", "# HELP node_systemd_",
                                            "# TYPE node_systemd_"};
  auto expected = lines_of(theirs_.body, systemd);
  // A node_exporter that failed to reach the bus would leave almost nothing to compare.
  ASSERT_GT(expected.size(), 50u) << theirs_.body;
  EXPECT_EQ(lines_of(ours_.body, systemd), expected);
  EXPECT_NE(ours_.body.find("node_scrape_collector_success{collector=\"systemd\"} 1"),
            std::string::npos);
}

TEST_F(SideBySide, ProcessesSameFamiliesAndLimitsAsNodeExporter) {
  ASSERT_NO_FATAL_FAILURE(scrape_both({"--collector.disable-defaults", "--collector.processes"}));
  if (IsSkipped()) return;
  const std::vector<std::string> metadata = {"# HELP node_processes_", "# TYPE node_processes_"};
  auto expected = lines_of(theirs_.body, metadata);
  ASSERT_EQ(expected.size(), 12u) << theirs_.body;  // six families
  EXPECT_EQ(lines_of(ours_.body, metadata), expected);
  const std::vector<std::string> limits = {"node_processes_max_"};
  EXPECT_EQ(lines_of(ours_.body, limits), lines_of(theirs_.body, limits));
  // Labelled series: the same label names (the states present may differ from scrape to scrape).
  for (const char* series : {"node_processes_state{state=\"",
                             "node_processes_threads_state{"
                             "thread_state=\""}) {
    EXPECT_NE(theirs_.body.find(series), std::string::npos) << series;
    EXPECT_NE(ours_.body.find(series), std::string::npos) << series;
  }
}

}  // namespace
}  // namespace nodeprobe::e2e

// nodeprobe against the real node_exporter on this host, side by side: every family
// node_exporter emits for the shared collectors must exist in nodeprobe with the same TYPE,
// HELP and label names, and the values that do not move must agree.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "tests/e2e/agent_process.h"
#include "tests/e2e/exposition_reader.h"

namespace nodeprobe::e2e {
namespace {

const std::string kNodeExporter = "/usr/bin/prometheus-node-exporter";

// Every collector node_exporter 1.5 enables by default on Linux that nodeprobe has (the storage
// and hardware ones of a later issue excepted), plus watchdog's absence check below.
const std::vector<std::string> kCollectors = {
    "arp",      "conntrack",    "cpu",     "cpufreq",    "diskstats",  "dmi",
    "edac",     "entropy",      "filefd",  "filesystem", "hwmon",      "loadavg",
    "meminfo",  "netclass",     "netdev",  "netstat",    "os",         "powersupplyclass",
    "pressure", "schedstat",    "selinux", "sockstat",   "softnet",    "stat",
    "textfile", "thermal_zone", "time",    "timex",      "udp_queues", "uname",
    "vmstat"};

// node_exporter's families that are about node_exporter itself (the Go runtime, its HTTP
// handler, its build and, as its README says, the process_* metrics of the client library).
bool is_exporter_own_family(std::string_view name) {
  return name.starts_with("go_") || name.starts_with("promhttp_") || name.starts_with("process_") ||
         name == "node_exporter_build_info";
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/nodeprobe-compat-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string describe(const std::set<std::set<std::string>>& sets) {
  std::string out;
  for (const auto& s : sets) {
    out += "{";
    for (const auto& n : s) out += n + ",";
    out += "} ";
  }
  return out;
}

const ExpositionSample* only_sample(const Exposition& e, const std::string& family) {
  const auto* f = e.find(family);
  return f != nullptr && f->samples.size() == 1 ? &f->samples.front() : nullptr;
}

class Compat : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kNodeExporter.c_str(), X_OK) != 0) {
      GTEST_SKIP() << kNodeExporter
                   << " is not installed (scripts/install-deps.sh installs "
                      "prometheus-node-exporter)";
    }
    ASSERT_FALSE(textfile_dir_.path().empty());
    std::vector<std::string> args{"--collector.disable-defaults",
                                  "--collector.textfile.directory=" + textfile_dir_.path()};
    for (const auto& c : kCollectors) args.push_back("--collector." + c);

    nodeprobe_ = std::make_unique<AgentProcess>(args);
    ASSERT_TRUE(nodeprobe_->ready()) << nodeprobe_->failure();

    // node_exporter cannot report a port it picked itself; take one that was free just now,
    // and another if something took it in between.
    bool up = false;
    for (int attempt = 0; attempt < 3 && !up; ++attempt) up = start_exporter(args);
    ASSERT_TRUE(up) << "node_exporter did not start:\n" << exporter_->stderr_text();
  }

  bool start_exporter(const std::vector<std::string>& args) {
    exporter_port_ = pick_free_port();
    std::vector<std::string> argv{
        kNodeExporter, "--web.listen-address=127.0.0.1:" + std::to_string(exporter_port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    exporter_ = std::make_unique<ChildProcess>(argv);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (exporter_->running() && std::chrono::steady_clock::now() < deadline) {
      if (http_get("127.0.0.1", exporter_port_, "/metrics").status == 200) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  // Both scraped back to back, so counters have little time to move in between.
  void scrape_both(Exposition& theirs, Exposition& ours) {
    auto np = nodeprobe_->get("/metrics");
    auto ne = http_get("127.0.0.1", exporter_port_, "/metrics");
    ASSERT_EQ(np.status, 200) << np.error;
    ASSERT_EQ(ne.status, 200) << ne.error;
    ours = read_exposition(np.body);
    theirs = read_exposition(ne.body);
    ASSERT_TRUE(ours.unreadable_lines.empty()) << ours.unreadable_lines.front();
    ASSERT_TRUE(theirs.unreadable_lines.empty()) << theirs.unreadable_lines.front();
  }

  TempDir textfile_dir_;  // empty: both agents report only node_textfile_scrape_error
  std::unique_ptr<AgentProcess> nodeprobe_;
  std::unique_ptr<ChildProcess> exporter_;
  int exporter_port_ = 0;
};

TEST_F(Compat, EveryNodeExporterFamilyExistsWithTheSameTypeHelpAndLabels) {
  Exposition theirs, ours;
  ASSERT_NO_FATAL_FAILURE(scrape_both(theirs, ours));
  int compared = 0;
  for (const auto& [name, family] : theirs.families) {
    if (is_exporter_own_family(name)) continue;
    ++compared;
    const auto* mine = ours.find(name);
    if (mine == nullptr) {
      ADD_FAILURE() << "nodeprobe lacks " << name << " (" << family.type << ")";
      continue;
    }
    EXPECT_EQ(mine->type, family.type) << name;
    EXPECT_EQ(mine->help, family.help) << name;
    EXPECT_EQ(describe(mine->label_name_sets()), describe(family.label_name_sets())) << name;
  }
  // A broken scrape of node_exporter would make this test pass vacuously.
  EXPECT_GT(compared, 50);
  for (const auto& c : kCollectors) {
    bool found = false;
    for (const auto& s : theirs.find("node_scrape_collector_success")->samples) {
      found |= s.labels.at("collector") == c;
    }
    EXPECT_TRUE(found) << "node_exporter did not run " << c;
  }
}

TEST_F(Compat, StableValuesAgree) {
  Exposition theirs, ours;
  ASSERT_NO_FATAL_FAILURE(scrape_both(theirs, ours));

  for (const char* name : {"node_memory_MemTotal_bytes", "node_boot_time_seconds"}) {
    const auto* a = only_sample(theirs, name);
    const auto* b = only_sample(ours, name);
    ASSERT_NE(a, nullptr) << name;
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(std::stod(b->value), std::stod(a->value)) << name;
  }

  for (const char* name : {"node_os_info", "node_uname_info"}) {
    const auto* a = only_sample(theirs, name);
    const auto* b = only_sample(ours, name);
    ASSERT_NE(a, nullptr) << name;
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(b->labels, a->labels) << name;
    EXPECT_EQ(b->value, a->value) << name;
  }

  // Families whose every sample is stable between two reads on an idle host: the same series
  // with the same values.
  for (const char* name :
       {"node_filesystem_size_bytes", "node_filesystem_files", "node_filesystem_readonly",
        "node_network_mtu_bytes", "node_network_info", "node_network_up",
        "node_entropy_pool_size_bits", "node_nf_conntrack_entries_limit", "node_disk_info",
        "node_time_clocksource_current_info", "node_selinux_enabled", "node_timex_tick_seconds"}) {
    const auto* x = theirs.find(name);
    const auto* y = ours.find(name);
    if (x == nullptr) {
      EXPECT_EQ(y, nullptr) << name << ": nodeprobe has it, node_exporter does not";
      continue;
    }
    ASSERT_NE(y, nullptr) << name;
    std::map<std::map<std::string, std::string>, std::string> values;
    for (const auto& sample : y->samples) values[sample.labels] = sample.value;
    EXPECT_EQ(values.size(), x->samples.size()) << name;
    for (const auto& sample : x->samples) {
      auto it = values.find(sample.labels);
      ASSERT_NE(it, values.end()) << name << ": nodeprobe lacks a series node_exporter has";
      EXPECT_EQ(std::stod(it->second), std::stod(sample.value)) << name;
    }
  }

  // CPU time per cpu and mode: the same series, each within a second of the other.
  const auto* a = theirs.find("node_cpu_seconds_total");
  const auto* b = ours.find("node_cpu_seconds_total");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::map<std::pair<std::string, std::string>, double> mine;
  for (const auto& s : b->samples) {
    mine[{s.labels.at("cpu"), s.labels.at("mode")}] = std::stod(s.value);
  }
  EXPECT_EQ(mine.size(), a->samples.size());
  for (const auto& s : a->samples) {
    auto key = std::make_pair(s.labels.at("cpu"), s.labels.at("mode"));
    auto it = mine.find(key);
    ASSERT_NE(it, mine.end()) << "cpu=" << key.first << " mode=" << key.second;
    EXPECT_NEAR(it->second, std::stod(s.value), 1.0)
        << "cpu=" << key.first << " mode=" << key.second;
  }
}

}  // namespace
}  // namespace nodeprobe::e2e

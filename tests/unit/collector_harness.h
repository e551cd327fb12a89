#pragma once

// Runs one collector the way the agent does (flags, configure, collect, render) on a fixture
// tree, for tests that compare the exposition text:
//
//   CollectorHarness cpu("cpu", fixture_paths("host"), {"--no-collector.cpu.guest"});
//   expect_golden(cpu.collect(), "host/cpu_noguest.golden");
//
// Errors surface as the agent meets them: CLI::ParseError for a bad flag, ConfigError from
// configure(), and whatever collect() throws (FeatureAbsent, FileError, ...).
//
// The whole API: fixture_path, fixture_paths, TempDir (a scratch tree to build or change),
// CollectorHarness (collect, families, problems), collect_text (one scrape) and expect_golden
// (NODEPROBE_UPDATE_GOLDEN=1 rewrites goldens instead of comparing).

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collector.h"
#include "agent/exposition.h"
#include "agent/host_paths.h"
#include "agent/metric_sink.h"
#include "agent/read_file.h"
#include "agent/registry.h"

namespace nodeprobe::testing {

// An absolute path under tests/fixtures: fixture_path("host/cpu.golden").
inline std::string fixture_path(std::string_view relative) {
  return HostPaths::join(NODEPROBE_FIXTURES, relative);
}

// HostPaths rooted in a fixture tree: <tree>/proc, <tree>/sys, <tree>/root, <tree>/udev.
// `tree` is relative to tests/fixtures ("host") or absolute (a temporary directory).
inline HostPaths fixture_paths(std::string_view tree) {
  std::string base = tree.starts_with('/') ? std::string(tree) : fixture_path(tree);
  HostPaths paths;
  paths.procfs = HostPaths::join(base, "proc");
  paths.sysfs = HostPaths::join(base, "sys");
  paths.rootfs = HostPaths::join(base, "root");
  paths.udev_data = HostPaths::join(base, "udev");
  return paths;
}

// A temporary directory for a tree a test builds or changes; removed, with everything in it,
// when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "nodeprobe-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes a file at a path relative to the directory, creating its parent directories.
  void write(std::string_view relative, std::string_view content) const {
    std::filesystem::path file = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.good()) throw std::runtime_error("cannot write " + file.string());
  }

  // Copies a fixture tree ("host") into the directory, to change a copy of it.
  void copy_fixture(std::string_view tree) const {
    std::filesystem::copy(fixture_path(tree), path_, std::filesystem::copy_options::recursive);
  }

 private:
  std::string path_;
};

// One collector made from collector_list(), its --collector.<name>.* flags parsed from `args`
// and configured. The instance lives as long as the harness, so state that collectors keep
// between scrapes (counter guards, caches) carries over from one collect() to the next.
class CollectorHarness {
 public:
  CollectorHarness(std::string_view name, const HostPaths& paths,
                   std::vector<std::string> args = {}) {
    for (const auto& entry : collector_list()) {
      if (entry.name == name) collector_ = entry.create();
    }
    if (!collector_) throw std::invalid_argument("no collector named " + std::string(name));
    CLI::App app;
    OptionBinder binder(app, name);
    collector_->add_options(binder);
    std::vector<const char*> argv = {"nodeprobe"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    collector_->configure(paths);
  }

  // One scrape of this collector: the rendered exposition text of its families, in name
  // order. What rendering had to drop is in problems(); a collector's own exception
  // propagates, as the agent's runner would catch it.
  std::string collect() {
    MetricSink sink;
    collector_->collect(sink);
    families_ = sink.families();
    problems_.clear();
    std::string text;
    for (const auto& family : render_families(sink.take(), &problems_)) text += family.text;
    return text;
  }

  // The families of the last collect(), before rendering.
  const std::vector<prometheus::MetricFamily>& families() const { return families_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::unique_ptr<Collector> collector_;
  std::vector<prometheus::MetricFamily> families_;
  std::vector<std::string> problems_;
};

// One scrape of a fresh collector.
inline std::string collect_text(std::string_view name, const HostPaths& paths,
                                std::vector<std::string> args = {}) {
  return CollectorHarness(name, paths, std::move(args)).collect();
}

// Every occurrence of `from` in `s` replaced by `to` (test output that names temp or fixture dirs).
inline std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// What one collector run did on a tree, as golden text: "== <collector> <args>", then its output
// (passed through `keep` if given), or "absent: <why>" / "error: <why>" with the fixture root
// shown as <fixtures>. Output that the exposition rules had to drop fails the test.
inline std::string describe_run(const std::string& collector, const HostPaths& paths,
                                const std::vector<std::string>& args = {},
                                std::string (*keep)(const std::string& text) = nullptr) {
  std::string head = "== " + collector;
  for (const auto& a : args) head += " " + a;
  head += "\n";
  CollectorHarness harness(collector, paths, args);
  std::string text;
  try {
    text = harness.collect();
  } catch (const FeatureAbsent& e) {
    return head + "absent: " + replace_all(e.what(), NODEPROBE_FIXTURES, "<fixtures>") + "\n";
  } catch (const std::exception& e) {
    return head + "error: " + replace_all(e.what(), NODEPROBE_FIXTURES, "<fixtures>") + "\n";
  }
  EXPECT_TRUE(harness.problems().empty())
      << collector << " emitted invalid output: " << harness.problems().front();
  return head + (keep != nullptr ? keep(text) : text);
}

// Compares `actual` with the golden file (relative to tests/fixtures, or absolute). With
// NODEPROBE_UPDATE_GOLDEN=1 in the environment it rewrites the golden instead; review every
// line of the resulting diff before committing it.
inline void expect_golden(const std::string& actual, std::string_view golden) {
  std::string path = golden.starts_with('/') ? std::string(golden) : fixture_path(golden);
  const char* update = std::getenv("NODEPROBE_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write golden " << path;
    std::cerr << "rewrote golden " << path << "\n";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "no golden file " << path
                         << " (run with NODEPROBE_UPDATE_GOLDEN=1 to write it)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "differs from " << path;
}

}  // namespace nodeprobe::testing

// The filesystem collector against real hung mounts: FUSE filesystems whose statfs blocks in the
// kernel until the test lets it answer (tests/helpers/fuse_hang.cpp).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "agent/agent.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"
#include "tests/unit/fuse_hang.h"

namespace nodeprobe {
namespace {

using namespace std::chrono_literals;

using testing::CollectorHarness;
using testing::FuseHang;
using testing::TempDir;

std::size_t threads_in_this_process() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

std::string labels(const std::string& mount_point, const std::string& error = "") {
  std::string out = "device=\"fuse_hang\",";
  if (!error.empty()) out += "device_error=\"" + error + "\",";
  return out + "fstype=\"fuse.fuse_hang\",mountpoint=\"" + mount_point + "\"";
}

bool contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

// What fuse_hang's statfs answers: 1000 blocks of 4096 bytes, 600 free, 500 available, 100
// inodes, 42 free.
void expect_sizes(const std::string& text, const std::string& mount_point) {
  auto l = "{" + labels(mount_point) + "} ";
  EXPECT_TRUE(contains(text, "node_filesystem_size_bytes" + l + "4.096e+06")) << mount_point;
  EXPECT_TRUE(contains(text, "node_filesystem_free_bytes" + l + "2.4576e+06")) << mount_point;
  EXPECT_TRUE(contains(text, "node_filesystem_avail_bytes" + l + "2.048e+06")) << mount_point;
  EXPECT_TRUE(contains(text, "node_filesystem_files" + l + "100")) << mount_point;
  EXPECT_TRUE(contains(text, "node_filesystem_files_free" + l + "42")) << mount_point;
  EXPECT_TRUE(contains(text, "node_filesystem_device_error" + l + "0")) << mount_point;
}

void expect_timed_out(const std::string& text, const std::string& mount_point) {
  EXPECT_TRUE(contains(
      text, "node_filesystem_device_error{" + labels(mount_point, "mountpoint timeout") + "} 1"))
      << mount_point;
  EXPECT_FALSE(contains(text, "node_filesystem_size_bytes{" + labels(mount_point))) << mount_point;
}

// A test tree whose mount table is this process's own (PID 1 may live in another mount
// namespace), and the collector configured on it for the mounts under `base` only.
class FuseFixture {
 public:
  FuseFixture() : base_(std::filesystem::canonical(dir_.path()).string() + "/mnt") {}

  const std::string& base() const { return base_; }

  std::unique_ptr<CollectorHarness> collector(std::vector<std::string> args) {
    return std::make_unique<CollectorHarness>("filesystem", paths(), with_include(args));
  }

  // The same collector made as the agent makes it, for a whole scrape.
  std::unique_ptr<Collector> agent_collector(std::vector<std::string> args) {
    std::unique_ptr<Collector> c;
    for (const auto& entry : collector_list()) {
      if (entry.name == "filesystem") c = entry.create();
    }
    CLI::App app;
    OptionBinder binder(app, "filesystem");
    c->add_options(binder);
    args = with_include(args);
    std::vector<const char*> argv = {"nodeprobe"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    c->configure(paths());
    return c;
  }

  // One scrape. It must come back while a statfs hangs; if it has not after a minute it is
  // waiting on the hung call, which is the failure this test exists to catch.
  static std::string scrape(CollectorHarness& fs, FuseHang& fuse) {
    auto run = std::async(std::launch::async, [&] { return fs.collect(); });
    if (run.wait_for(60s) != std::future_status::ready) {
      ADD_FAILURE() << "the scrape waited on a hung statfs";
      fuse.release();
    }
    return run.get();
  }

 private:
  HostPaths paths() {
    dir_.write("proc/1/mountinfo", read_file("/proc/self/mountinfo"));
    HostPaths p;
    p.procfs = dir_.path() + "/proc";
    return p;
  }

  std::vector<std::string> with_include(std::vector<std::string> args) const {
    args.push_back("--collector.filesystem.mount-points-include=^" + RE2::QuoteMeta(base_) + "/");
    return args;
  }

  TempDir dir_;
  std::string base_;
};

TEST(FilesystemFuse, HungMountDoesNotStallTheScrapeAndComesBack) {
  FuseFixture tree;
  std::string ok = tree.base() + "/ok", hung = tree.base() + "/hung";
  FuseHang fuse({{"ok", ok}, {"hang", hung}});
  if (!fuse.skip_reason().empty()) GTEST_SKIP() << fuse.skip_reason();
  auto fs = tree.collector({"--collector.filesystem.mount-timeout=300ms"});

  auto first = FuseFixture::scrape(*fs, fuse);
  expect_sizes(first, ok);
  expect_timed_out(first, hung);
  EXPECT_TRUE(
      contains(first, "node_filesystem_readonly{" + labels(hung, "mountpoint timeout") + "} 0"));

  // Still hung: reported as stuck at once, the other mount as before.
  auto second = FuseFixture::scrape(*fs, fuse);
  expect_sizes(second, ok);
  expect_timed_out(second, hung);

  fuse.release();
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text = FuseFixture::scrape(*fs, fuse);
    if (!contains(text, "mountpoint timeout")) break;
    std::this_thread::sleep_for(10ms);
  }
  expect_sizes(text, ok);
  expect_sizes(text, hung);
}

TEST(FilesystemFuse, ManyHungMountsHoldABoundedNumberOfThreads) {
  FuseFixture tree;
  std::string ok = tree.base() + "/ok";
  std::vector<std::pair<std::string, std::string>> mounts = {{"ok", ok}};
  for (int i = 0; i < 20; ++i) mounts.push_back({"hang", tree.base() + "/h" + std::to_string(i)});
  FuseHang fuse(mounts);
  if (!fuse.skip_reason().empty()) GTEST_SKIP() << fuse.skip_reason();

  std::size_t before = threads_in_this_process();
  const std::size_t workers = 2;
  auto fs = tree.collector({"--collector.filesystem.mount-timeout=300ms",
                            "--collector.filesystem.stat-workers=" + std::to_string(workers)});
  for (int scrape = 0; scrape < 4; ++scrape) {
    auto text = FuseFixture::scrape(*fs, fuse);
    expect_sizes(text, ok);
    for (int i = 0; i < 20; ++i) expect_timed_out(text, tree.base() + "/h" + std::to_string(i));
    // The workers and at most as many replacements for blocked ones: not one per hung mount.
    EXPECT_LE(threads_in_this_process(), before + 2 * workers) << "scrape " << scrape;
  }

  fuse.release();
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text = FuseFixture::scrape(*fs, fuse);
    if (!contains(text, "mountpoint timeout")) break;
    std::this_thread::sleep_for(10ms);
  }
  expect_sizes(text, ok);
  for (int i = 0; i < 20; ++i) expect_sizes(text, tree.base() + "/h" + std::to_string(i));
  EXPECT_LE(threads_in_this_process(), before + 2 * workers);
}

TEST(FilesystemFuse, AWholeScrapeComesBackWithEveryFamily) {
  FuseFixture tree;
  std::string ok = tree.base() + "/ok", hung = tree.base() + "/hung";
  FuseHang fuse({{"ok", ok}, {"hang", hung}});
  if (!fuse.skip_reason().empty()) GTEST_SKIP() << fuse.skip_reason();

  // The filesystem collector beside others reading this host, under the agent's deadline.
  std::vector<Agent::Enabled> enabled;
  for (const auto& entry : collector_list()) {
    if (entry.name == "loadavg" || entry.name == "meminfo") {
      enabled.push_back({entry.name, entry.create()});
      enabled.back().collector->configure(HostPaths{});
    }
  }
  enabled.push_back(
      {"filesystem", tree.agent_collector({"--collector.filesystem.mount-timeout=500ms"})});
  AgentOptions options;
  options.collector_timeout = std::chrono::milliseconds(5000);
  Agent agent(std::move(enabled), {"filesystem", "loadavg", "meminfo"}, options);

  for (int scrape = 0; scrape < 2; ++scrape) {
    auto run = std::async(std::launch::async, [&] { return agent.scrape_all(); });
    if (run.wait_for(60s) != std::future_status::ready) {
      ADD_FAILURE() << "the scrape waited on a hung statfs";
      fuse.release();
    }
    auto body = run.get();
    EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"filesystem\"} 1\n"));
    EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"loadavg\"} 1\n"));
    EXPECT_TRUE(contains(body, "node_scrape_collector_success{collector=\"meminfo\"} 1\n"));
    EXPECT_TRUE(contains(body, "\nnode_load1 "));
    EXPECT_TRUE(contains(body, "\nnode_memory_MemTotal_bytes "));
    expect_sizes(body, ok);
    expect_timed_out(body, hung);
  }
}

}  // namespace
}  // namespace nodeprobe

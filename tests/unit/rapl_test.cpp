#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::describe_run;
using testing::expect_golden;
using testing::fixture_paths;
using testing::TempDir;

// The path label holds the fixture directory; the golden shows it as <fixtures>.
std::string relative(const std::string& text) {
  return testing::replace_all(text, NODEPROBE_FIXTURES, "<fixtures>");
}

TEST(RaplCollector, MatchesGolden) {
  std::string out;
  for (const char* state :
       {"healthy", "garbage_energy", "empty_energy", "missing_max", "missing_energy", "absent"}) {
    out += std::string("-- ") + state + "\n";
    out +=
        describe_run("rapl", fixture_paths(std::string("hardware/rapl/") + state), {}, &relative);
  }
  out += describe_run("rapl", fixture_paths("hardware/rapl/healthy"),
                      {"--collector.rapl.enable-zone-label"}, &relative);
  expect_golden(out, "hardware/rapl.golden");
}

// Whether one scrape of the tree throws FeatureAbsent, run as an unprivileged user: root reads
// a mode 0000 file anyway, so as root the scrape runs in a child that drops to nobody.
bool absent_for_unprivileged_user(const std::string& tree) {
  auto scrape = [&] {
    try {
      testing::collect_text("rapl", fixture_paths(tree));
    } catch (const FeatureAbsent&) {
      return true;
    } catch (...) {
    }
    return false;
  };
  if (::geteuid() != 0) return scrape();
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    ::_exit(scrape() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(RaplCollector, UnreadableEnergyIsAbsentNotAFailure) {
  // Linux 5.10 made energy_uj readable by root only; node_exporter then reports no data.
  TempDir tree;
  tree.write("sys/class/powercap/intel-rapl:0/name", "package-0\n");
  tree.write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850\n");
  tree.write("sys/class/powercap/intel-rapl:0/energy_uj", "1\n");
  ::chmod(tree.path().c_str(), 0755);
  ::chmod((tree.path() + "/sys/class/powercap/intel-rapl:0/energy_uj").c_str(), 0);
  EXPECT_TRUE(absent_for_unprivileged_user(tree.path()));
  // The same tree readable: a plain success, so the check above is about the permission.
  ::chmod((tree.path() + "/sys/class/powercap/intel-rapl:0/energy_uj").c_str(), 0644);
  EXPECT_FALSE(absent_for_unprivileged_user(tree.path()));
}

}  // namespace
}  // namespace nodeprobe

// The shared libraries the agent binary loads at start: the resident-memory figures of
// docs/performance.md depend on them. Every shared library costs resident pages in every agent
// whether its code runs or not, so the ones only some collectors need are loaded when those run
// (agent/dynamic_library.h), and the C++ and math libraries are linked in (CMakeLists.txt).
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "tests/e2e/agent_process.h"

namespace nodeprobe::e2e {
namespace {

// The NEEDED entries of the binary's dynamic section, as `readelf -d` prints them.
std::set<std::string> needed_libraries(const std::string& binary) {
  // readelf is binutils', which the compiler needs.
  auto r = run_command({"/usr/bin/readelf", "-d", binary});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("(NEEDED)") == std::string::npos) continue;
    auto open = line.find('[');
    auto close = line.find(']', open);
    if (open != std::string::npos && close != std::string::npos) {
      out.insert(line.substr(open + 1, close - open - 1));
    }
  }
  return out;
}

TEST(BinaryLinks, OnlyTheLibrariesEveryCollectorSetNeeds) {
  auto needed = needed_libraries(kAgentBinary);
  ASSERT_FALSE(needed.empty()) << "no NEEDED entries in " << kAgentBinary;
  EXPECT_TRUE(needed.contains("libc.so.6"));
  for (const auto& lib : needed) {
    for (const char* loaded_later : {"libcurl", "libsystemd", "libproc2"}) {
      EXPECT_EQ(lib.find(loaded_later), std::string::npos)
          << lib << " must be loaded by the collector that needs it (agent/dynamic_library.h)";
    }
    for (const char* linked_in : {"libstdc++", "libm.so", "libre2", "libfmt", "libspdlog"}) {
      EXPECT_EQ(lib.find(linked_in), std::string::npos)
          << lib << " is linked into the agent (CMakeLists.txt): a shared one costs resident "
          << "memory; libm comes back when the agent calls a libm function other than "
          << "fegetround and fesetround";
    }
  }
}

}  // namespace
}  // namespace nodeprobe::e2e

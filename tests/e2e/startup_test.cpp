// Start-up of the real binary: misconfiguration is one line naming the flag and a non-zero
// exit; --help, --version and the log formats.
#include <gtest/gtest.h>

#include "agent/registry.h"
#include "tests/e2e/agent_process.h"
#include "version.h"

namespace nodeprobe::e2e {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// Runs the agent with `args` and expects it to refuse to start, saying why in one line that
// names `flag`.
void expect_start_up_error(std::vector<std::string> args, const std::string& flag) {
  args.insert(args.begin(), kAgentBinary);
  auto r = run_command(args, {}, 10s);
  ASSERT_TRUE(r.exit_code) << "the agent did not exit; stderr:\n" << r.err;
  EXPECT_NE(*r.exit_code, 0);
  auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_TRUE(lines[0].starts_with("nodeprobe: error: ")) << lines[0];
  EXPECT_NE(lines[0].find(flag), std::string::npos) << lines[0];
  EXPECT_EQ(r.out, "");
}

TEST(StartUp, UnknownFlag) {
  expect_start_up_error({"--web.listen-address=127.0.0.1:0", "--no.such-flag=1"}, "--no.such-flag");
}

// Errors found while configuring collectors come after the other collectors' configure(),
// which may log (diskstats without udev data does); only the collector under test runs here, so
// the error line stands alone.
TEST(StartUp, InvalidCollectorRegex) {
  expect_start_up_error({"--web.listen-address=127.0.0.1:0", "--collector.disable-defaults",
                         "--collector.vmstat", "--collector.vmstat.fields=("},
                        "--collector.vmstat.fields");
}

TEST(StartUp, ListenAddressAlreadyInUse) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  expect_start_up_error(
      {"--web.listen-address=" + address, "--collector.disable-defaults", "--collector.loadavg"},
      "--web.listen-address");
  ::close(fd);
}

TEST(StartUp, MissingProcfs) {
  expect_start_up_error({"--web.listen-address=127.0.0.1:0", "--path.procfs=/nonexistent"},
                        "--path.procfs");
}

TEST(StartUp, VersionExitsZero) {
  auto r = run_command({kAgentBinary, "--version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(std::string("nodeprobe, version ") + build::kVersion)) << r.out;
  EXPECT_NE(r.out.find(build::kRevision), std::string::npos) << r.out;
}

TEST(StartUp, HelpListsEveryCollectorWithItsDefault) {
  auto r = run_command({kAgentBinary, "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& entry : collector_list()) {
    std::string name(entry.name);
    std::string flag = "--collector." + name + ",";
    auto at = r.out.find(flag);
    ASSERT_NE(at, std::string::npos) << flag << " missing from --help:\n" << r.out;
    EXPECT_NE(r.out.find("--no-collector." + name), std::string::npos) << name;
    // The switch's text runs until the next option; the help may wrap it onto a second line.
    auto end = r.out.find("\n  -", at);
    std::string text = r.out.substr(at, end - at);
    std::string want = entry.enabled_by_default ? "[default: enabled]" : "[default: disabled]";
    EXPECT_NE(text.find(want), std::string::npos) << text;
  }
}

TEST(StartUp, JsonLogLinesAndCleanShutdown) {
  AgentProcess agent({"--log.format=json", "--collector.disable-defaults", "--collector.loadavg"});
  ASSERT_TRUE(agent.ready()) << agent.failure();
  EXPECT_EQ(agent.get("/metrics").status, 200);
  EXPECT_EQ(agent.stop(), 0);
  auto lines = lines_of(agent.log());
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_TRUE(line.starts_with("{") && line.ends_with("}")) << line;
    EXPECT_NE(line.find("\"level\":"), std::string::npos) << line;
    EXPECT_NE(line.find("\"msg\":"), std::string::npos) << line;
  }
  EXPECT_NE(agent.log().find("\"msg\":\"shutting down\""), std::string::npos) << agent.log();
}

TEST(StartUp, LogLinesGoToStderrOnly) {
  // Default collectors on the fixture host, with a udev directory that is not there: collectors
  // log while they are configured, and that must already be the structured log on stderr.
  AgentProcess agent(
      {"--path.procfs=" + kFixtures + "/host/proc", "--path.sysfs=" + kFixtures + "/host/sys",
       "--path.rootfs=" + kFixtures + "/host/root", "--path.udev.data=/nonexistent/udev"});
  ASSERT_TRUE(agent.ready()) << agent.failure();
  EXPECT_EQ(agent.stop(), 0);
  EXPECT_EQ(agent.stdout_text(), "");
  for (const auto& line : lines_of(agent.log())) {
    EXPECT_TRUE(line.starts_with("ts=")) << line;
  }
}

TEST(StartUp, LogfmtIsTheDefault) {
  AgentProcess agent({"--collector.disable-defaults", "--collector.loadavg"});
  ASSERT_TRUE(agent.ready()) << agent.failure();
  auto first = lines_of(agent.log()).front();
  EXPECT_TRUE(first.starts_with("ts=")) << first;
  EXPECT_NE(first.find(" level=info "), std::string::npos) << first;
  EXPECT_EQ(agent.stop(), 0);
}

}  // namespace
}  // namespace nodeprobe::e2e

#pragma once

// A private dbus-daemon on a temporary socket with tests/helpers/systemd_standin on it, owning
// org.freedesktop.systemd1 and answering from a spec file the test writes (see the helper for
// its format). DBUS_SYSTEM_BUS_ADDRESS points at the bus while the object lives, so the systemd
// collector (and node_exporter) take it for the system bus:
//
//   SystemdBus bus("nginx.service loaded active running Type=simple\n");
//   collect_text("systemd", paths);   // talks to the stand-in
//   bus.write_spec("...");            // read again at the next ListUnits
//
// SystemdBus(SystemdBus::kNoManager) starts the bus alone: a system bus without systemd.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/unit/collector_harness.h"

extern char** environ;

namespace nodeprobe::testing {

class SystemdBus {
 public:
  struct NoManager {};
  static constexpr NoManager kNoManager{};

  explicit SystemdBus(const std::string& spec) {
    start_bus();
    write_spec(spec);
    std::string line;
    standin_ = spawn({NODEPROBE_SYSTEMD_STANDIN, address_, dir_.path() + "/spec"}, line,
                     dir_.path() + "/standin.log");
    if (line != "ready") {
      throw std::runtime_error("systemd_standin did not start: " + line + " " + log("standin.log"));
    }
  }
  explicit SystemdBus(NoManager) { start_bus(); }

  ~SystemdBus() {
    if (previous_) {
      ::setenv("DBUS_SYSTEM_BUS_ADDRESS", previous_->c_str(), 1);
    } else {
      ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    }
    stop(standin_);
    stop(daemon_);
  }
  SystemdBus(const SystemdBus&) = delete;
  SystemdBus& operator=(const SystemdBus&) = delete;

  void write_spec(const std::string& spec) const { dir_.write("spec", spec); }
  const std::string& address() const { return address_; }

 private:
  void start_bus() {
    if (const char* old = std::getenv("DBUS_SYSTEM_BUS_ADDRESS")) previous_ = old;
    dir_.write(
        "bus.conf",
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig>\n"
        "  <type>session</type>\n"
        "  <listen>unix:path=" +
            dir_.path() +
            "/bus</listen>\n"
            "  <auth>EXTERNAL</auth>\n"
            "  <policy context=\"default\">\n"
            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
            "    <allow eavesdrop=\"true\"/>\n"
            "    <allow own=\"*\"/>\n"
            "  </policy>\n"
            "</busconfig>\n");
    // --print-address writes the address once the bus accepts connections.
    daemon_ = spawn({NODEPROBE_DBUS_DAEMON, "--config-file=" + dir_.path() + "/bus.conf",
                     "--nofork", "--nopidfile", "--nosyslog", "--print-address"},
                    address_, dir_.path() + "/dbus-daemon.log");
    if (address_.find("unix:") != 0) {
      throw std::runtime_error("dbus-daemon did not start: " + log("dbus-daemon.log"));
    }
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", address_.c_str(), 1);
  }

  // Starts a child with its stdout on a pipe and its stderr in `log` (dbus-daemon complains
  // about fd limits it may not raise), and returns its pid with the first line it prints.
  static pid_t spawn(std::vector<std::string> args, std::string& first_line,
                     const std::string& log) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
    }
    first_line.clear();
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char c = 0;
    while (std::chrono::steady_clock::now() < give_up) {
      struct pollfd p = {out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      if (::read(out[0], &c, 1) != 1 || c == '\n') break;
      first_line.push_back(c);
    }
    ::close(out[0]);
    return pid;
  }

  std::string log(const std::string& name) const {
    std::ifstream in(dir_.path() + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static void stop(pid_t& pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }

  TempDir dir_;
  std::string address_;
  std::optional<std::string> previous_;
  pid_t daemon_ = -1;
  pid_t standin_ = -1;
};

}  // namespace nodeprobe::testing

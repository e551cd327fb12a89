// Child processes for the end-to-end tests: the real agent binary (started on a free port and
// stopped by its destructor), the real node_exporter and promtool. Every wait is bounded.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/e2e/http_client.h"

extern char** environ;

namespace nodeprobe::e2e {

using namespace std::chrono_literals;

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A port that was free a moment ago, for programs that cannot be asked to pick their own
// (node_exporter). The agent itself is started on :0 and reports the port it bound.
inline int pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// One child process with stdin from a file and stdout/stderr captured to files in a private
// temporary directory, removed with the object. The destructor stops the child if it still
// runs: SIGTERM, then SIGKILL after the grace period.
class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ChildProcess(const std::vector<std::string>& argv, std::string_view stdin_text = {}) {
    char tmpl[] = "/tmp/nodeprobe-e2e-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      error_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    dir_ = tmpl;
    {
      std::ofstream in(path("stdin"), std::ios::binary);
      in << stdin_text;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, path("stdin").c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, path("stdout").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, path("stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    // The test binary may block signals in its threads; the child starts with none blocked and
    // default dispositions, as under a service manager.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      error_ = "cannot start " + argv[0] + ": " + std::strerror(rc);
      pid_ = -1;
      return;
    }
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  }

  ~ChildProcess() {
    stop();
    if (pidfd_ >= 0) ::close(pidfd_);
    if (!dir_.empty()) {
      for (const char* f : {"stdin", "stdout", "stderr"}) ::unlink(path(f).c_str());
      ::rmdir(dir_.c_str());
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  std::string stdout_text() const { return read_whole_file(path("stdout")); }
  std::string stderr_text() const { return read_whole_file(path("stderr")); }

  // The exit code (128 + signal number if killed) once the child has exited, else nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    if (exit_code_ || pid_ <= 0) return exit_code_;
    auto deadline = Clock::now() + timeout;
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      if (pidfd_ >= 0) {
        // Readable when the child exits: no polling interval to tune.
        pollfd p{pidfd_, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left.count()));
      } else {
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
      }
    }
  }

  bool running() { return started() && !wait_exit(0ms); }

  void send_signal(int sig) {
    if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
  }

  // SIGTERM, SIGKILL after `grace`; returns the exit code.
  std::optional<int> stop(std::chrono::milliseconds grace = 5s) {
    if (pid_ <= 0) return std::nullopt;
    if (!exit_code_) {
      ::kill(pid_, SIGTERM);
      if (!wait_exit(grace)) {
        ::kill(pid_, SIGKILL);
        wait_exit(10s);
      }
    }
    return exit_code_;
  }

 private:
  std::string path(const char* name) const { return dir_ + "/" + name; }

  std::string dir_;
  std::string error_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<int> exit_code_;
};

struct CommandResult {
  std::optional<int> exit_code;  // nullopt: it did not finish in time and was killed
  std::string out;
  std::string err;
};

// Runs a command to completion (or kills it at the deadline) and returns what it printed.
inline CommandResult run_command(const std::vector<std::string>& argv,
                                 std::string_view stdin_text = {},
                                 std::chrono::milliseconds timeout = 20s) {
  ChildProcess child(argv, stdin_text);
  CommandResult r;
  if (!child.started()) {
    r.err = child.error();
    return r;
  }
  r.exit_code = child.wait_exit(timeout);
  if (!r.exit_code) child.stop(1s);
  r.out = child.stdout_text();
  r.err = child.stderr_text();
  return r;
}

// Both defined by tests/CMakeLists.txt for the e2e binary.
inline const std::string kAgentBinary = NODEPROBE_BINARY;
inline const std::string kFixtures = NODEPROBE_FIXTURES;

// The real agent, started with `args` plus --web.listen-address=127.0.0.1:0 (unless args name
// a listen address), and ready once it has logged the address it bound.
class AgentProcess {
 public:
  explicit AgentProcess(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s)
      : child_(command(std::move(args))) {
    if (!child_.started()) {
      failure_ = child_.error();
      return;
    }
    auto deadline = Clock::now() + timeout;
    // The log is a file the agent appends to; re-reading it every few milliseconds until the
    // listening line shows up is the simplest bounded wait.
    for (;;) {
      std::string log = child_.stderr_text();
      if (auto address = listening_address(log)) {
        auto colon = address->rfind(':');
        host_ = address->substr(0, colon);
        port_ = std::atoi(address->c_str() + colon + 1);
        if (host_.empty()) host_ = "127.0.0.1";
        return;
      }
      if (auto code = child_.wait_exit(0ms)) {
        failure_ = "agent exited with " + std::to_string(*code) + " before listening:\n" + log;
        return;
      }
      if (Clock::now() > deadline) {
        failure_ = "agent did not log msg=\"listening\" in time:\n" + log;
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
  }

  bool ready() const { return port_ > 0; }
  // Why the agent is not ready, with its log.
  const std::string& failure() const { return failure_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  std::string log() const { return child_.stderr_text(); }
  std::string stdout_text() const { return child_.stdout_text(); }
  bool running() { return child_.running(); }
  std::optional<int> stop() { return child_.stop(); }
  void send_signal(int sig) { child_.send_signal(sig); }
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    return child_.wait_exit(timeout);
  }

  HttpResponse get(std::string_view target, const std::vector<std::string>& headers = {}) const {
    return http_get(host_, port_, target, headers);
  }
  HttpResponse request(std::string_view method, std::string_view target) const {
    return http_request(host_, port_, method, target);
  }

  // "host:port" from `msg="listening" address=host:port` (logfmt) or the JSON equivalent.
  static std::optional<std::string> listening_address(std::string_view log) {
    for (std::string_view key :
         {std::string_view("msg=\"listening\""), std::string_view("\"msg\":\"listening\"")}) {
      auto at = log.find(key);
      if (at == std::string_view::npos) continue;
      auto line = log.substr(at, log.find('\n', at) - at);
      for (std::string_view field :
           {std::string_view(" address="), std::string_view("\"address\":\"")}) {
        auto f = line.find(field);
        if (f == std::string_view::npos) continue;
        auto value = line.substr(f + field.size());
        value = value.substr(0, value.find_first_of(" \""));
        if (value.find(':') != std::string_view::npos) return std::string(value);
      }
    }
    return std::nullopt;
  }

 private:
  using Clock = std::chrono::steady_clock;

  static std::vector<std::string> command(std::vector<std::string> args) {
    std::vector<std::string> argv{kAgentBinary};
    bool has_address = false;
    for (const auto& a : args) has_address |= a.rfind("--web.listen-address", 0) == 0;
    if (!has_address) argv.push_back("--web.listen-address=127.0.0.1:0");
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  ChildProcess child_;
  std::string failure_;
  std::string host_;
  int port_ = 0;
};

}  // namespace nodeprobe::e2e

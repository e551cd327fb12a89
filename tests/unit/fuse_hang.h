#pragma once

// Runs tests/helpers/fuse_hang (a FUSE filesystem whose statfs hangs until released) as a child
// process, and always takes its mounts down again:
//
//   FuseHang fuse({{"ok", dir + "/ok"}, {"hang", dir + "/hung"}});
//   if (!fuse.skip_reason().empty()) GTEST_SKIP() << fuse.skip_reason();
//   ... statfs(dir + "/hung") blocks ...
//   fuse.release();  // it answers

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace nodeprobe::testing {

class FuseHang {
 public:
  // (mode, directory) pairs, mode "hang" or "ok"; the directories are created.
  explicit FuseHang(std::vector<std::pair<std::string, std::string>> mounts) {
    for (const auto& [mode, dir] : mounts) {
      std::filesystem::create_directories(dir);
      dirs_.push_back(dir);
    }
    struct stat st {};
    if (::stat("/dev/fuse", &st) != 0 || !S_ISCHR(st.st_mode)) {
      skip_ = "no /dev/fuse on this host (a container needs --device /dev/fuse)";
      return;
    }
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<std::string> args = {NODEPROBE_FUSE_HANG};
    for (const auto& [mode, dir] : mounts) args.push_back(mode + ":" + dir);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    to_child_ = to_child[1];
    from_child_ = from_child[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error(std::string("cannot start fuse_hang: ") + std::strerror(rc));
    }
    std::string line = read_line(std::chrono::seconds(30));
    if (line.starts_with("refused:")) {
      skip_ = "mounting FUSE is refused here: " + line.substr(9);
    } else if (line != "ready") {
      shut_down();
      throw std::runtime_error("fuse_hang did not start: \"" + line + "\"");
    }
  }

  ~FuseHang() { shut_down(); }

  FuseHang(const FuseHang&) = delete;
  FuseHang& operator=(const FuseHang&) = delete;

  // Empty when the mounts are up; otherwise why the test cannot run here.
  const std::string& skip_reason() const { return skip_; }

  // Lets every hung statfs answer, now and from then on.
  void release() {
    const char msg[] = "release\n";
    if (::write(to_child_, msg, sizeof msg - 1) != static_cast<ssize_t>(sizeof msg - 1)) {
      throw std::runtime_error("cannot write to fuse_hang");
    }
    if (read_line(std::chrono::seconds(30)) != "released") {
      throw std::runtime_error("fuse_hang did not release");
    }
  }

 private:
  void shut_down() {
    if (to_child_ >= 0) ::close(to_child_);  // end of input: it releases, unmounts and exits
    if (pid_ > 0) {
      int status = 0;
      auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > give_up) {
          ::kill(pid_, SIGKILL);  // ends its connections: blocked calls fail with ENOTCONN
          ::waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    if (from_child_ >= 0) ::close(from_child_);
    to_child_ = from_child_ = pid_ = -1;
    // Whatever happened above, no mount outlives the test.
    for (const auto& dir : dirs_) ::umount2(dir.c_str(), MNT_DETACH);
  }

  std::string read_line(std::chrono::seconds timeout) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return line;
      pollfd pfd{from_child_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char c = 0;
      if (::read(from_child_, &c, 1) != 1) return line;
      if (c == '\n') return line;
      line.push_back(c);
    }
  }

  std::vector<std::string> dirs_;
  std::string skip_;
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
};

}  // namespace nodeprobe::testing

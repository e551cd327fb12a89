// A FUSE filesystem whose statfs can be made to hang, for the filesystem collector's tests:
// a real mount that blocks statfs(2) in the kernel exactly as a dead NFS or CIFS server does.
//
//   fuse_hang hang:/tmp/x/a ok:/tmp/x/b ...
//
// mounts one filesystem per argument, prints "ready" on stdout, then serves. statfs on an "ok"
// mount answers at once; on a "hang" mount it blocks until a line "release" arrives on stdin,
// and answers at once from then on. At end of stdin everything is unmounted and the program
// exits. If mounting is refused it prints "refused: <reason>" and exits with status 3.
//
// It runs as its own process, not in the test: the test process must not hold the server side
// of a mount that its own threads block on, and libfuse has no business in a forked copy of a
// multi-threaded gtest binary.

#define FUSE_USE_VERSION 35

#include <fuse_lowlevel.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::mutex mu;
std::condition_variable released_cv;
bool released = false;

struct Mount {
  bool hang = false;
  std::string dir;
  fuse_session* session = nullptr;
  bool mounted = false;
};

void do_statfs(fuse_req_t req, fuse_ino_t) {
  auto* m = static_cast<Mount*>(fuse_req_userdata(req));
  if (m->hang) {
    std::unique_lock lock(mu);
    released_cv.wait(lock, [] { return released; });
  }
  struct statvfs st {};
  st.f_bsize = 4096;
  st.f_frsize = 4096;
  st.f_blocks = 1000;
  st.f_bfree = 600;
  st.f_bavail = 500;
  st.f_files = 100;
  st.f_ffree = 42;
  st.f_namemax = 255;
  fuse_reply_statfs(req, &st);
}

void do_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  if (ino != FUSE_ROOT_ID) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  struct stat st {};
  st.st_ino = FUSE_ROOT_ID;
  st.st_mode = S_IFDIR | 0755;
  st.st_nlink = 2;
  fuse_reply_attr(req, &st, 1.0);
}

void do_lookup(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, ENOENT); }

void say(const std::string& line) {
  std::string out = line + "\n";
  (void)!::write(STDOUT_FILENO, out.data(), out.size());
}

void unmount_all(std::vector<std::unique_ptr<Mount>>& mounts) {
  for (auto& m : mounts) {
    // Lazy: a statfs still in the kernel keeps the mount busy; detached, it goes when that
    // call returns, which the connection's end at exit makes happen.
    if (m->mounted) ::umount2(m->dir.c_str(), MNT_DETACH);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  fuse_lowlevel_ops ops{};
  ops.statfs = do_statfs;
  ops.getattr = do_getattr;
  ops.lookup = do_lookup;

  std::vector<std::unique_ptr<Mount>> mounts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto colon = arg.find(':');
    auto m = std::make_unique<Mount>();
    std::string mode = arg.substr(0, colon == std::string::npos ? 0 : colon);
    if (mode != "hang" && mode != "ok") {
      std::cerr << "fuse_hang: usage: fuse_hang {hang|ok}:DIR ...\n";
      return 2;
    }
    m->hang = mode == "hang";
    m->dir = arg.substr(colon + 1);
    mounts.push_back(std::move(m));
  }

  for (auto& m : mounts) {
    const char* fuse_argv[] = {"fuse_hang", "-o", "fsname=fuse_hang,subtype=fuse_hang"};
    fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(fuse_argv));
    m->session = fuse_session_new(&args, &ops, sizeof ops, m.get());
    if (m->session == nullptr) {
      say("refused: fuse_session_new failed");
      unmount_all(mounts);
      return 3;
    }
    if (fuse_session_mount(m->session, m->dir.c_str()) != 0) {
      say("refused: cannot mount " + m->dir + " (libfuse says why on stderr)");
      unmount_all(mounts);
      return 3;
    }
    m->mounted = true;
  }

  // One single-threaded loop per mount: a hung statfs holds only its own mount's loop.
  for (auto& m : mounts) {
    std::thread([s = m->session] { fuse_session_loop(s); }).detach();
  }
  say("ready");

  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "release") {
      std::lock_guard lock(mu);
      released = true;
      released_cv.notify_all();
      say("released");
    }
  }
  {
    std::lock_guard lock(mu);
    released = true;
    released_cv.notify_all();
  }
  unmount_all(mounts);
  // Exiting closes every /dev/fuse descriptor, which ends the connections; the loops end with
  // the process.
  std::_Exit(0);
}

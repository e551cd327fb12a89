// A small, cheap scrape client for bench/run.sh: it drives exporters with sequential GETs of
// /metrics and charges each exporter the CPU time its process spent while being scraped.
//
//   nodeprobe_scrape_client free-port
//       prints a TCP port that is free on 127.0.0.1 right now.
//   nodeprobe_scrape_client wait PORT [SECONDS]
//       retries GET /metrics until it answers 200 (default 20 s), exit 1 if it never does.
//   nodeprobe_scrape_client run --target NAME=PORT:PID [--target ...] [--scrapes N]
//       [--rounds R] [--warmup W] [--modes MODE,...] [--path PATH]
//       warms every target up with W scrapes per mode, then runs R rounds; in each round every
//       mode scrapes every target N/R times, the targets taking turns to go first so machine
//       noise falls on all of them alike. Prints one "result ..." line per target and mode.
//       A mode is plain or gzip (Accept-Encoding), on a new connection per scrape, or with
//       +keepalive on one connection per batch, as Prometheus keeps its connections open.
//       Default: plain,gzip,plain+keepalive,gzip+keepalive.
//
// CPU is read from the server's process CPU clock (clock_getcpuclockid: every thread, including
// ones that exited, in nanoseconds) just before and just after each batch of scrapes; the
// difference is what the server spent accepting, collecting, rendering, compressing and sending.
// /proc/PID/stat utime+stime over the whole measured phase is printed next to it as a check.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::int64_t now_ns(clockid_t clock) {
  timespec ts{};
  if (::clock_gettime(clock, &ts) != 0) return -1;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// utime + stime of a whole process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
long long stat_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 1));
  std::string f;
  long long ticks = 0;
  for (int i = 3; i <= 15 && (fields >> f); ++i) {
    if (i >= 14) ticks += std::atoll(f.c_str());
  }
  return ticks;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Response {
  int status = 0;
  bool gzip = false;
  bool close = false;
  std::string body;
};

// One HTTP/1.1 connection to 127.0.0.1:port with just enough of the protocol for /metrics:
// Content-Length, chunked, or read-to-close bodies.
class Connection {
 public:
  explicit Connection(std::uint16_t port) : port_(port) {}
  ~Connection() { reset(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool get(std::string_view path, bool gzip, bool keep_alive, Response& r, std::string& err) {
    if (fd_ < 0 && !open(err)) return false;
    std::string req = "GET " + std::string(path) +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                      "\r\nUser-Agent: nodeprobe-bench\r\nAccept: text/plain;version=0.0.4\r\n";
    if (gzip) req += "Accept-Encoding: gzip\r\n";
    req += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    if (!send_all(req)) {
      err = std::string("send: ") + std::strerror(errno);
      reset();
      return false;
    }
    bool ok = read_response(r, err);
    if (!ok || r.close || !keep_alive) reset();
    return ok;
  }

 private:
  bool open(std::string& err) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      err = std::string("socket: ") + std::strerror(errno);
      return false;
    }
    timeval tv{30, 0};  // a server that hangs fails the run instead of stalling it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      err = std::string("connect: ") + std::strerror(errno);
      reset();
      return false;
    }
    buffer_.clear();
    return true;
  }

  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Appends what the socket has to buffer_; false at EOF or on error.
  bool fill() {
    char chunk[65536];
    while (true) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  // Takes one CRLF-terminated line off the buffer.
  bool line(std::string& out) {
    while (true) {
      auto eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        out = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return true;
      }
      if (!fill()) return false;
    }
  }

  bool take(std::size_t n, std::string& out) {
    while (buffer_.size() < n) {
      if (!fill()) return false;
    }
    out.append(buffer_, 0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool read_response(Response& r, std::string& err) {
    r = Response{};
    std::string status;
    if (!line(status)) {
      err = "no status line";
      return false;
    }
    if (status.size() < 12 || status.compare(0, 5, "HTTP/") != 0) {
      err = "bad status line: " + status;
      return false;
    }
    r.status = std::atoi(status.c_str() + 9);
    r.close = status.compare(0, 8, "HTTP/1.0") == 0;
    long long content_length = -1;
    bool chunked = false;
    std::string h;
    while (true) {
      if (!line(h)) {
        err = "truncated headers";
        return false;
      }
      if (h.empty()) break;
      auto colon = h.find(':');
      if (colon == std::string::npos) continue;
      auto name = lower(std::string_view(h).substr(0, colon));
      auto value = lower(std::string_view(h).substr(h.find_first_not_of(' ', colon + 1)));
      if (name == "content-length") content_length = std::atoll(value.c_str());
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
      if (name == "content-encoding" && value == "gzip") r.gzip = true;
      if (name == "connection" && value == "close") r.close = true;
    }
    if (chunked) {
      std::string size_line;
      while (true) {
        if (!line(size_line)) {
          err = "truncated chunk size";
          return false;
        }
        auto size = std::strtoull(size_line.c_str(), nullptr, 16);
        if (size == 0) break;
        std::string crlf;
        if (!take(size, r.body) || !line(crlf)) {
          err = "truncated chunk";
          return false;
        }
      }
      std::string trailer;
      do {
        if (!line(trailer)) {
          err = "truncated trailer";
          return false;
        }
      } while (!trailer.empty());
      return true;
    }
    if (content_length >= 0) {
      if (!take(static_cast<std::size_t>(content_length), r.body)) {
        err = "truncated body";
        return false;
      }
      return true;
    }
    r.close = true;
    r.body.swap(buffer_);
    while (fill()) {
      r.body += buffer_;
      buffer_.clear();
    }
    return true;
  }

  std::uint16_t port_;
  int fd_ = -1;
  std::string buffer_;
};

bool gunzip(const std::string& in, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char chunk[65536];
  int rc = Z_OK;
  out.clear();
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END;
}

// A scrape that does not return the expected body is not a scrape: it would make an exporter
// look cheap. The first scrape of every batch is checked in full, the others by status.
// A plain /metrics must hold node_load1; a filtered one (PATH with a query) just some family.
bool check(const Response& r, bool want_gzip, std::string_view must_hold, std::size_t& text_bytes,
           std::string& err) {
  if (r.status != 200) {
    err = "status " + std::to_string(r.status);
    return false;
  }
  if (r.gzip != want_gzip) {
    err = want_gzip ? "asked for gzip, got plain text" : "got gzip without asking";
    return false;
  }
  std::string text;
  if (r.gzip && !gunzip(r.body, text)) {
    err = "body is not valid gzip";
    return false;
  }
  const std::string& plain = r.gzip ? text : r.body;
  if (plain.find(must_hold) == std::string::npos) {
    err = "body lacks \"" + std::string(must_hold) + "\"";
    return false;
  }
  text_bytes = plain.size();
  return true;
}

struct Target {
  std::string name;
  std::uint16_t port = 0;
  int pid = 0;
  clockid_t cpu_clock{};
};

struct Tally {
  std::int64_t cpu_ns = 0;
  long scrapes = 0;
  std::size_t wire_bytes = 0;
  std::size_t text_bytes = 0;
  std::vector<std::int64_t> latency_ns;
};

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("free-port");
    return 1;
  }
  std::printf("%u\n", ntohs(addr.sin_port));
  ::close(fd);
  return 0;
}

int wait_ready(std::uint16_t port, double seconds) {
  auto deadline = now_ns(CLOCK_MONOTONIC) + static_cast<std::int64_t>(seconds * 1e9);
  std::string err;
  while (now_ns(CLOCK_MONOTONIC) < deadline) {
    Connection c(port);
    Response r;
    std::size_t bytes = 0;
    if (c.get("/metrics", false, false, r, err) && check(r, false, "\nnode_load1 ", bytes, err))
      return 0;
    ::usleep(100'000);
  }
  std::fprintf(stderr, "port %u never served /metrics: %s\n", port, err.c_str());
  return 1;
}

std::int64_t percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int run(int argc, char** argv) {
  std::vector<Target> targets;
  long scrapes = 2000;
  long rounds = 10;
  long warmup = 100;
  std::string path = "/metrics";  // e.g. /metrics?exclude[]=cpu to take a collector's cost apart
  struct Mode {
    std::string name;
    bool gzip;
    bool keep_alive;
  };
  std::vector<Mode> modes;
  std::string mode_list = "plain,gzip,plain+keepalive,gzip+keepalive";
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--target") {
      // NAME=PORT:PID
      std::string v = value();
      auto eq = v.find('=');
      auto colon = v.rfind(':');
      if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
        std::fprintf(stderr, "--target wants NAME=PORT:PID, got %s\n", v.c_str());
        return 2;
      }
      Target t;
      t.name = v.substr(0, eq);
      t.port = static_cast<std::uint16_t>(std::atoi(v.c_str() + eq + 1));
      t.pid = std::atoi(v.c_str() + colon + 1);
      if (::clock_getcpuclockid(t.pid, &t.cpu_clock) != 0) {
        std::fprintf(stderr, "no CPU clock for pid %d (%s)\n", t.pid, t.name.c_str());
        return 1;
      }
      targets.push_back(t);
    } else if (a == "--scrapes") {
      scrapes = std::atol(value().c_str());
    } else if (a == "--rounds") {
      rounds = std::atol(value().c_str());
    } else if (a == "--warmup") {
      warmup = std::atol(value().c_str());
    } else if (a == "--path") {
      path = value();
    } else if (a == "--modes") {
      mode_list = value();
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  std::string_view list = mode_list;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string name(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name != "plain" && name != "gzip" && name != "plain+keepalive" &&
        name != "gzip+keepalive") {
      std::fprintf(stderr, "unknown mode %s\n", name.c_str());
      return 2;
    }
    modes.push_back({name, name.starts_with("gzip"), name.ends_with("+keepalive")});
  }
  if (targets.empty() || modes.empty() || scrapes <= 0 || rounds <= 0) {
    std::fprintf(stderr, "run needs --target, a positive --scrapes and --rounds, and a mode\n");
    return 2;
  }
  rounds = std::min(rounds, scrapes);
  std::string must_hold = path.find('?') == std::string::npos ? "\nnode_load1 " : "# TYPE ";
  std::vector<std::vector<Tally>> tally(targets.size(), std::vector<Tally>(modes.size()));
  std::vector<std::int64_t> clocks(targets.size());

  auto batch = [&](std::size_t t, std::size_t m, long count, bool counted) -> bool {
    Target& target = targets[t];
    Tally& out = tally[t][m];
    Connection conn(target.port);
    Response r;
    std::string err;
    auto cpu0 = now_ns(target.cpu_clock);
    for (long i = 0; i < count; ++i) {
      auto t0 = now_ns(CLOCK_MONOTONIC);
      bool ok = conn.get(path, modes[m].gzip, modes[m].keep_alive, r, err);
      auto t1 = now_ns(CLOCK_MONOTONIC);
      std::size_t text_bytes = 0;
      if (ok && i == 0) ok = check(r, modes[m].gzip, must_hold, text_bytes, err);
      if (ok && r.status != 200) {
        ok = false;
        err = "status " + std::to_string(r.status);
      }
      if (!ok) {
        std::fprintf(stderr, "%s: scrape failed: %s\n", target.name.c_str(), err.c_str());
        return false;
      }
      if (!counted) continue;
      out.latency_ns.push_back(t1 - t0);
      out.wire_bytes += r.body.size();
      if (i == 0) out.text_bytes = text_bytes;
    }
    auto cpu1 = now_ns(target.cpu_clock);
    if (counted) {
      out.cpu_ns += cpu1 - cpu0;
      out.scrapes += count;
    }
    return true;
  };

  for (std::size_t m = 0; m < modes.size(); ++m) {
    for (std::size_t t = 0; t < targets.size(); ++t) {
      if (!batch(t, m, warmup, false)) return 1;
    }
  }
  std::vector<long long> ticks0(targets.size());
  for (std::size_t t = 0; t < targets.size(); ++t) ticks0[t] = stat_ticks(targets[t].pid);
  auto wall0 = now_ns(CLOCK_MONOTONIC);
  for (long round = 0; round < rounds; ++round) {
    long count = scrapes / rounds + (round < scrapes % rounds ? 1 : 0);
    for (std::size_t m = 0; m < modes.size(); ++m) {
      for (std::size_t k = 0; k < targets.size(); ++k) {
        // Rotate who goes first, round by round.
        std::size_t t = (k + static_cast<std::size_t>(round)) % targets.size();
        if (!batch(t, m, count, true)) return 1;
      }
    }
  }
  auto wall = now_ns(CLOCK_MONOTONIC) - wall0;
  long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  for (std::size_t t = 0; t < targets.size(); ++t) {
    long long ticks = stat_ticks(targets[t].pid) - ticks0[t];
    long total_scrapes = 0;
    for (const auto& x : tally[t]) total_scrapes += x.scrapes;
    for (std::size_t m = 0; m < modes.size(); ++m) {
      const Tally& x = tally[t][m];
      std::printf(
          "result target=%s mode=%s scrapes=%ld cpu_ns_per_scrape=%.0f text_bytes=%zu "
          "wire_bytes_per_scrape=%.0f latency_p50_ns=%lld latency_p99_ns=%lld "
          "stat_cpu_ns_per_scrape_all_modes=%.0f\n",
          targets[t].name.c_str(), modes[m].name.c_str(), x.scrapes,
          static_cast<double>(x.cpu_ns) / static_cast<double>(x.scrapes), x.text_bytes,
          static_cast<double>(x.wire_bytes) / static_cast<double>(x.scrapes),
          static_cast<long long>(percentile(x.latency_ns, 0.5)),
          static_cast<long long>(percentile(x.latency_ns, 0.99)),
          static_cast<double>(ticks) * 1e9 / static_cast<double>(ticks_per_second) /
              static_cast<double>(total_scrapes));
    }
  }
  std::printf("run wall_s=%.1f\n", static_cast<double>(wall) / 1e9);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view cmd = argc > 1 ? argv[1] : "";
  if (cmd == "free-port") return free_port();
  if (cmd == "wait" && argc >= 3) {
    return wait_ready(static_cast<std::uint16_t>(std::atoi(argv[2])),
                      argc >= 4 ? std::atof(argv[3]) : 20);
  }
  if (cmd == "run") return run(argc - 2, argv + 2);
  std::fprintf(stderr,
               "usage: %s free-port | wait PORT [SECONDS] | run --target NAME=PORT:PID ... "
               "[--scrapes N] [--rounds R] [--warmup W] [--modes MODE,...] "
               "[--path PATH]\n",
               argc > 0 ? argv[0] : "nodeprobe_scrape_client");
  return 2;
}

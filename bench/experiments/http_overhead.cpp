// An experiment, not part of the build: what a new connection costs the server process under
// civetweb (as the agent configures it) and under libmicrohttpd's thread pool, each serving the
// same fixed 18 KB body, so that only the HTTP server differs (docs/performance.md, "New
// connections"). Needs libmicrohttpd-dev, which the project does not install.
//
// Build (one line):
//   g++ -O2 -std=c++20 bench/experiments/http_overhead.cpp -o /tmp/http_overhead
//       -lcivetweb -lmicrohttpd -lpthread
// Run both servers, then measure them side by side (one line):
//   /tmp/http_overhead civetweb PORT &  /tmp/http_overhead mhd PORT2 &
//   build/bench/nodeprobe_scrape_client run --target civetweb=PORT:PID1
//       --target mhd=PORT2:PID2 --modes plain,plain+keepalive
// The civetweb settings are copied from agent/http_server.cpp, so that the experiment stays
// a single file that does not link the agent.
#include <arpa/inet.h>
#include <civetweb.h>
#include <microhttpd.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::string make_body() {
  std::string body = "# the scrape client checks for this line\nnode_load1 0.5\n";
  for (int i = 0; body.size() < 18000; ++i) {
    body +=
        "node_experiment_value{n=\"" + std::to_string(i) + "\"} " + std::to_string(i * 7) + "\n";
  }
  return body;
}

const std::string kBody = make_body();

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// main blocks the signals before the servers start their threads; this takes them.
void wait_for_stop() {
  sigset_t set = stop_signals();
  int sig = 0;
  sigwait(&set, &sig);
}

int civetweb_metrics(mg_connection* conn, void*) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n";
  out += "Content-Length: " + std::to_string(kBody.size()) + "\r\nConnection: keep-alive\r\n\r\n";
  out += kBody;
  mg_write(conn, out.data(), out.size());
  return 200;
}

int run_civetweb(const std::string& port) {
  std::string ports = "127.0.0.1:" + port;
  // The agent's own settings (agent/http_server.cpp).
  const char* config[] = {"listening_ports",
                          ports.c_str(),
                          "num_threads",
                          "7",
                          "request_timeout_ms",
                          "30000",
                          "enable_keep_alive",
                          "yes",
                          "tcp_nodelay",
                          "1",
                          "keep_alive_timeout_ms",
                          "5000",
                          "max_request_size",
                          "8192",
                          "enable_directory_listing",
                          "no",
                          nullptr};
  mg_callbacks callbacks{};
  mg_context* ctx = mg_start(&callbacks, nullptr, config);
  if (ctx == nullptr) return 1;
  mg_set_request_handler(ctx, "/metrics", civetweb_metrics, nullptr);
  mg_set_auth_handler(
      ctx, "/", [](mg_connection*, void*) { return 1; }, nullptr);
  wait_for_stop();
  mg_stop(ctx);
  return 0;
}

MHD_Result mhd_metrics(void*, MHD_Connection* conn, const char*, const char*, const char*,
                       const char*, size_t*, void** state) {
  static int marker;
  if (*state == nullptr) {  // headers only so far
    *state = &marker;
    return MHD_YES;
  }
  MHD_Response* response = MHD_create_response_from_buffer(
      kBody.size(), const_cast<char*>(kBody.data()), MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(response, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, response);
  MHD_destroy_response(response);
  return ret;
}

int run_mhd(const std::string& port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Each pool thread polls the listening socket itself and serves what it accepts.
  MHD_Daemon* d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, nullptr,
                                   nullptr, mhd_metrics, nullptr, MHD_OPTION_SOCK_ADDR, &addr,
                                   MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_CONNECTION_TIMEOUT,
                                   30u, MHD_OPTION_END);
  if (d == nullptr) return 1;
  wait_for_stop();
  MHD_stop_daemon(d);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s civetweb|mhd PORT\n", argv[0]);
    return 2;
  }
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::string which = argv[1];
  if (which == "civetweb") return run_civetweb(argv[2]);
  if (which == "mhd") return run_mhd(argv[2]);
  std::fprintf(stderr, "unknown server %s\n", argv[1]);
  return 2;
}

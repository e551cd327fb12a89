#pragma once

#include <string>
#include <vector>

#include "agent/agent.h"

struct mg_context;
struct mg_connection;

namespace nodeprobe {

struct ServerOptions {
  std::vector<std::string> listen_addresses{":9110"};
  std::string telemetry_path = "/metrics";
  int max_requests = 40;  // concurrent /metrics requests; 0 = no limit
};

// Serves /metrics, /, /healthz and /readyz with civetweb, one thread per connection, so a slow
// or stalled client only holds its own thread.
class HttpServer {
 public:
  HttpServer(Agent& agent, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every listen address; throws ConfigError naming --web.listen-address on failure.
  void start();
  void stop();

  // "address:port" for every bound socket, with the real port when :0 was asked for.
  std::vector<std::string> bound_addresses() const;

  // Turns a Go-style listen address (":9110", "127.0.0.1:9110", "[::1]:9110",
  // "localhost:9110") into civetweb's form; throws ConfigError on a malformed one.
  static std::string to_civetweb_port(const std::string& address);

 private:
  static int handle_metrics(mg_connection* conn, void* self);
  static int handle_landing(mg_connection* conn, void* self);
  static int handle_healthz(mg_connection* conn, void* self);
  static int handle_readyz(mg_connection* conn, void* self);
  static int handle_http_error(mg_connection* conn, int status, const char* msg);

  int serve_metrics(mg_connection* conn);
  int serve_landing(mg_connection* conn);

  Agent& agent_;
  ServerOptions options_;
  mg_context* ctx_ = nullptr;
};

// Splits a query string into decoded values of `key` (e.g. every collect[]).
std::vector<std::string> query_values(std::string_view query, std::string_view key);
std::string url_decode(std::string_view in);

}  // namespace nodeprobe

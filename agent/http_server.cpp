#include "agent/http_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netdb.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "agent/gzip.h"
#include "agent/logging.h"
#include "version.h"

namespace nodeprobe {
namespace {

constexpr const char* kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

// civetweb reports why a port could not be bound only through its log callback, on the thread
// that calls mg_start2; keep the first message so the start-up error can name the cause.
thread_local std::string t_start_error;

int capture_log_message(const mg_connection*, const char* message) {
  if (message == nullptr) return 1;
  if (t_start_error.empty()) t_start_error = message;
  log::debug("http server", {{"msg", message}});
  return 1;  // handled: civetweb writes nothing to stderr itself
}

// Whether civetweb keeps the connection open after this response (its should_keep_alive rule):
// HTTP/1.1 unless the client said "Connection: close", HTTP/1.0 only if it asked.
bool keeps_alive(mg_connection* conn) {
  const auto* info = mg_get_request_info(conn);
  const char* connection = mg_get_header(conn, "Connection");
  bool http11 = info->http_version != nullptr && std::strcmp(info->http_version, "1.1") == 0;
  if (connection == nullptr) return http11;
  return strcasestr(connection, "keep-alive") != nullptr;
}

// Writes the whole response, status line and headers and body, in one write. civetweb's own
// header functions send each header line as a segment of its own (with TCP_NODELAY, eight
// segments for a scrape, each crossing the client's TCP stack): bench/run.sh measured that at
// a fifth of a new-connection scrape's CPU.
void send(mg_connection* conn, int status, std::string_view content_type, std::string_view body,
          bool gzipped = false, bool close = false) {
  close = close || !keeps_alive(conn);
  if (close) mg_disable_connection_keep_alive(conn);
  char date[64];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  const auto* info = mg_get_request_info(conn);
  bool head = info->request_method != nullptr && std::strcmp(info->request_method, "HEAD") == 0;
  std::string out;
  out.reserve(256 + (head ? 0 : body.size()));
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(mg_get_response_code_text(conn, status)).append("\r\n");
  out.append("Content-Type: ").append(content_type).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  if (gzipped) out.append("Content-Encoding: gzip\r\n");
  out.append("Vary: Accept-Encoding\r\n");
  out.append("Date: ").append(date).append("\r\n");
  out.append(close ? "Connection: close\r\n" : "Connection: keep-alive\r\n");
  out.append("\r\n");
  if (!head) out.append(body);
  mg_write(conn, out.data(), out.size());
}

bool method_allowed(mg_connection* conn) {
  const char* m = mg_get_request_info(conn)->request_method;
  return m != nullptr && (std::strcmp(m, "GET") == 0 || std::strcmp(m, "HEAD") == 0);
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() + 0 && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> query_values(std::string_view query, std::string_view key) {
  std::vector<std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) == key) {
      out.push_back(eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

HttpServer::HttpServer(Agent& agent, ServerOptions options)
    : agent_(agent), options_(std::move(options)) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::to_civetweb_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    throw ConfigError("--web.listen-address", "\"" + address + "\" has no port (want host:port)");
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    throw ConfigError("--web.listen-address", "\"" + address + "\" has no valid port");
  }
  if (host.empty()) return port;  // every IPv4 interface, as civetweb spells it
  if (host.front() == '[') {
    // Debian 12's civetweb is built without IPv6 (mg_check_feature(MG_FEATURES_IPV6) == 0).
    if (mg_check_feature(MG_FEATURES_IPV6) == 0) {
      throw ConfigError("--web.listen-address",
                        "\"" + address + "\": IPv6 addresses are not supported by this build");
    }
    in6_addr a6{};
    if (host.back() != ']' ||
        inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6) != 1) {
      throw ConfigError("--web.listen-address", "\"" + address + "\" has an invalid IPv6 address");
    }
    return host + ":" + port;
  }
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return host + ":" + port;
  // A host name: bind the first IPv4 address it resolves to, as Go's net.Listen does.
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    throw ConfigError("--web.listen-address", "cannot resolve host \"" + host + "\"");
  }
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, buf, sizeof buf);
  freeaddrinfo(res);
  return std::string(buf) + ":" + port;
}

void HttpServer::start() {
  std::string ports;
  for (const auto& a : options_.listen_addresses) {
    if (!ports.empty()) ports += ",";
    ports += to_civetweb_port(a);
  }
  // Up to 4 scrapes are served at once, plus 3 workers for health checks, the landing page and
  // quick 503s past --web.max-requests (when it is below 4). Each worker's stack grows to ~60 KB
  // of resident memory once it has served a scrape (civetweb hands requests to its workers in
  // turn), and a scrape takes well under a millisecond of CPU: past 4 at once, scrapes wait for
  // a worker rather than each holding a thread (docs/compatibility.md).
  constexpr int kMaxScrapeWorkers = 4;
  int threads = std::min(options_.max_requests > 0 ? options_.max_requests : kMaxScrapeWorkers,
                         kMaxScrapeWorkers) +
                3;
  std::string threads_str = std::to_string(threads);
  // tcp_nodelay: with Nagle on, the tail of a keep-alive response that civetweb writes in more
  // than one piece (its own error pages) waits for the client's delayed ACK, 40 ms each.
  const char* config[] = {"listening_ports",
                          ports.c_str(),
                          "num_threads",
                          threads_str.c_str(),
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
  callbacks.http_error = &HttpServer::handle_http_error;
  callbacks.log_message = &capture_log_message;
  t_start_error.clear();
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = config;
  char error_text[256] = {};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof error_text;
  ctx_ = mg_start2(&init, &error);
  if (ctx_ == nullptr) {
    std::string why = error_text[0] != 0 ? error_text : "cannot start the server";
    if (!t_start_error.empty()) why += ": " + t_start_error;
    throw ConfigError("--web.listen-address", why);
  }
  mg_set_request_handler(ctx_, options_.telemetry_path.c_str(), &HttpServer::handle_metrics, this);
  mg_set_request_handler(ctx_, "/healthz$", &HttpServer::handle_healthz, this);
  mg_set_request_handler(ctx_, "/readyz$", &HttpServer::handle_readyz, this);
  mg_set_request_handler(ctx_, "/", &HttpServer::handle_landing, this);
  // Every request is allowed. Without an authorization handler civetweb looks for a password
  // file on each request, /.htpasswd with no document root: a stat() per scrape, and a file
  // somebody else could put there to lock the scrapes out.
  mg_set_auth_handler(
      ctx_, "/", [](mg_connection*, void*) { return 1; }, nullptr);
}

void HttpServer::stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

std::vector<std::string> HttpServer::bound_addresses() const {
  std::vector<std::string> out;
  if (ctx_ == nullptr) return out;
  mg_server_port ports[16] = {};
  int n = mg_get_server_ports(ctx_, 16, ports);
  for (int i = 0; i < n; ++i) {
    // civetweb does not say which address it bound; take it from the configured one.
    std::string configured = i < static_cast<int>(options_.listen_addresses.size())
                                 ? options_.listen_addresses[static_cast<std::size_t>(i)]
                                 : ":";
    std::string host = configured.substr(0, configured.rfind(':'));
    out.push_back(host + ":" + std::to_string(ports[i].port));
  }
  return out;
}

int HttpServer::handle_http_error(mg_connection* conn, int status, const char*) {
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  if (self != nullptr) self->agent_.requests().record("other", status);
  return 1;  // let civetweb write its own error page
}

int HttpServer::handle_healthz(mg_connection* conn, void* p) {
  auto* self = static_cast<HttpServer*>(p);
  int code = method_allowed(conn) ? 200 : 405;
  send(conn, code, "text/plain; charset=utf-8", code == 200 ? "ok\n" : "method not allowed\n");
  self->agent_.requests().record("/healthz", code);
  return code;
}

int HttpServer::handle_readyz(mg_connection* conn, void* p) {
  auto* self = static_cast<HttpServer*>(p);
  int code = !method_allowed(conn) ? 405 : self->agent_.ready() ? 200 : 503;
  send(conn, code, "text/plain; charset=utf-8",
       code == 200   ? "ready\n"
       : code == 503 ? "not ready: the first collection has not finished\n"
                     : "method not allowed\n");
  self->agent_.requests().record("/readyz", code);
  return code;
}

int HttpServer::handle_metrics(mg_connection* conn, void* p) {
  return static_cast<HttpServer*>(p)->serve_metrics(conn);
}

int HttpServer::serve_metrics(mg_connection* conn) {
  const auto* info = mg_get_request_info(conn);
  // civetweb matches the handler by prefix; /metricsfoo is not ours.
  if (info->local_uri == nullptr || options_.telemetry_path != info->local_uri) {
    return serve_landing(conn);
  }
  auto& requests = agent_.requests();
  if (!method_allowed(conn)) {
    send(conn, 405, "text/plain; charset=utf-8", "method not allowed\n");
    requests.record(options_.telemetry_path, 405);
    return 405;
  }
  struct InFlight {
    std::atomic<int>& n;
    explicit InFlight(std::atomic<int>& c) : n(c) { ++n; }
    ~InFlight() { --n; }
  } in_flight(requests.in_flight());
  if (options_.max_requests > 0 && requests.in_flight().load() > options_.max_requests) {
    send(conn, 503, "text/plain; charset=utf-8",
         "too many concurrent scrapes (--web.max-requests)\n");
    requests.record(options_.telemetry_path, 503);
    return 503;
  }
  std::string_view query = info->query_string != nullptr ? info->query_string : "";
  std::vector<std::size_t> which;
  if (auto err = agent_.select(query_values(query, "collect[]"), query_values(query, "exclude[]"),
                               which)) {
    send(conn, 400, "text/plain; charset=utf-8", *err + "\n");
    requests.record(options_.telemetry_path, 400);
    return 400;
  }
  const char* accept = mg_get_header(conn, "Accept-Encoding");
  bool gzip = accept != nullptr && accepts_gzip(accept);
  // The collectors run on this thread. Should one of them hold it past the hand-over time, the
  // answer goes out from a rescue thread by the deadline, and the connection is closed after
  // it, so that the client's next scrape does not queue behind the held thread.
  agent_.scrape(which, [&](std::string&& body, bool rescued) {
    std::string compressed;
    if (gzip && gzip_compress(body, compressed)) {
      send(conn, 200, kTextFormat, compressed, true, rescued);
    } else {
      send(conn, 200, kTextFormat, body, false, rescued);
    }
    requests.record(options_.telemetry_path, 200);
  });
  return 200;
}

int HttpServer::handle_landing(mg_connection* conn, void* p) {
  return static_cast<HttpServer*>(p)->serve_landing(conn);
}

int HttpServer::serve_landing(mg_connection* conn) {
  const auto* info = mg_get_request_info(conn);
  if (info->local_uri == nullptr || std::strcmp(info->local_uri, "/") != 0) {
    send(conn, 404, "text/plain; charset=utf-8", "not found\n");
    agent_.requests().record("other", 404);
    return 404;
  }
  if (!method_allowed(conn)) {
    send(conn, 405, "text/plain; charset=utf-8", "method not allowed\n");
    agent_.requests().record("/", 405);
    return 405;
  }
  std::string path = html_escape(options_.telemetry_path);
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>nodeprobe</title>\n"
      "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em 1em;text-align:left}"
      ".ok{color:#070}.failed,.timeout,.stuck{color:#a00}.disabled{color:#888}</style></head>\n"
      "<body><h1>nodeprobe</h1>\n<p>Node metrics agent, version ";
  html += html_escape(build::kVersion);
  html += " (revision ";
  html += html_escape(build::kRevision);
  html += ").</p>\n<p><a href=\"" + path + "\">Metrics</a> &middot; <a href=\"/healthz\">" +
          "Health</a> &middot; <a href=\"/readyz\">Readiness</a></p>\n" +
          "<h2>Collectors</h2>\n<table><tr><th>collector</th><th>state</th><th>last scrape</th>"
          "</tr>\n";
  for (const auto& s : agent_.states()) {
    std::string name = html_escape(s.name);
    std::string last = html_escape(s.last);
    html += "<tr><td>" + name + "</td><td class=\"" + (s.enabled ? "ok" : "disabled") + "\">" +
            (s.enabled ? "enabled" : "disabled") + "</td><td class=\"" + last + "\">" +
            (s.enabled ? last : "") + "</td></tr>\n";
  }
  html += "</table>\n</body></html>\n";
  send(conn, 200, "text/html; charset=utf-8", html);
  agent_.requests().record("/", 200);
  return 200;
}

}  // namespace nodeprobe

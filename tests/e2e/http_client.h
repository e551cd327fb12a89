// A tiny HTTP/1.1 client on raw sockets for the end-to-end and server tests. Raw, so a test can
// send what no library would: a malformed request line, an oversized header, half a request.
// Every wait is bounded by the deadline the caller gives.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodeprobe::e2e {

struct HttpResponse {
  int status = 0;  // 0 when no status line arrived
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // why the exchange failed, empty if a complete response arrived

  // The first header of that name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return std::nullopt;
  }
};

// One TCP connection to host:port. Closed by the destructor.
class HttpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  HttpConnection(const std::string& host, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error_ = std::string("socket: ") + std::strerror(errno);
      return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
      error_ = "not an IPv4 address: " + host;
      return;
    }
    // A local connect either succeeds or is refused at once; no timeout needed.
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      error_ = std::string("connect: ") + std::strerror(errno);
    }
  }
  ~HttpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Sends all of `data` unless the peer stops reading or closes; returns false then. The
  // server may close early on a request it rejects, so a failed send is not the end of the
  // exchange: the caller still reads the response.
  bool send_all(std::string_view data, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
      if (!wait_for(POLLOUT, deadline)) return false;
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response. With `head_request`, the body is whatever arrives until the server
  // closes (it should be nothing), so a server that wrongly sends a body is caught.
  HttpResponse read_response(std::chrono::milliseconds timeout, bool head_request = false) {
    auto deadline = Clock::now() + timeout;
    HttpResponse r;
    std::size_t header_end = std::string::npos;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!receive_more(deadline, r.error)) {
        if (r.error.empty()) r.error = "connection closed before the end of the headers";
        r.body = buffer_;  // what did arrive, for the failure message
        return r;
      }
    }
    std::string_view head(buffer_.data(), header_end);
    auto line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") {
      r.error = "bad status line: " + std::string(status_line);
      return r;
    }
    r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    while (line_end != std::string_view::npos) {
      head.remove_prefix(line_end + 2);
      line_end = head.find("\r\n");
      std::string_view line = head.substr(0, line_end);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    buffer_.erase(0, header_end + 4);

    auto length = r.header("Content-Length");
    auto encoding = r.header("Transfer-Encoding");
    if (head_request || (!length && !encoding)) {
      // Read until the server closes.
      while (receive_more(deadline, r.error)) {
      }
      r.body = std::move(buffer_);
      buffer_.clear();
      return r;
    }
    if (encoding && encoding->find("chunked") != std::string::npos) {
      read_chunked(r, deadline);
      return r;
    }
    std::size_t want = std::strtoull(length->c_str(), nullptr, 10);
    while (buffer_.size() < want) {
      if (!receive_more(deadline, r.error)) {
        if (r.error.empty()) r.error = "connection closed inside the body";
        break;
      }
    }
    r.body = buffer_.substr(0, std::min(want, buffer_.size()));
    buffer_.erase(0, r.body.size());
    return r;
  }

 private:
  bool wait_for(short events, Clock::time_point deadline) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, events, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      return n > 0;
    }
  }

  // Appends what arrives before the deadline; false at EOF (error empty) or on error/timeout.
  bool receive_more(Clock::time_point deadline, std::string& error) {
    if (!wait_for(POLLIN, deadline)) {
      error = "timed out waiting for the response";
      return false;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) {
      error = std::string("recv: ") + std::strerror(errno);
      return false;
    }
    if (n == 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  void read_chunked(HttpResponse& r, Clock::time_point deadline) {
    for (;;) {
      std::size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!receive_more(deadline, r.error)) {
          if (r.error.empty()) r.error = "connection closed inside a chunk header";
          return;
        }
      }
      std::size_t size = std::strtoull(buffer_.substr(0, eol).c_str(), nullptr, 16);
      while (buffer_.size() < eol + 2 + size + 2) {
        if (!receive_more(deadline, r.error)) {
          if (r.error.empty()) r.error = "connection closed inside a chunk";
          return;
        }
      }
      r.body.append(buffer_, eol + 2, size);
      buffer_.erase(0, eol + 2 + size + 2);
      if (size == 0) return;  // trailers are not used by the agent
    }
  }

  int fd_ = -1;
  std::string error_;
  std::string buffer_;
};

// Sends `raw` as is and reads one response.
inline HttpResponse http_exchange(const std::string& host, int port, std::string_view raw,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                  bool head_request = false) {
  HttpConnection conn(host, port);
  if (!conn.ok()) {
    HttpResponse r;
    r.error = conn.error();
    return r;
  }
  conn.send_all(raw, timeout);
  return conn.read_response(timeout, head_request);
}

// A well-formed request with Connection: close; `extra_headers` are "Name: value" lines.
inline HttpResponse http_request(const std::string& host, int port, std::string_view method,
                                 std::string_view target,
                                 const std::vector<std::string>& extra_headers = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: " + host +
                    ":" + std::to_string(port) + "\r\nConnection: close\r\n";
  for (const auto& h : extra_headers) raw += h + "\r\n";
  if (method == "POST") raw += "Content-Length: 0\r\n";
  raw += "\r\n";
  return http_exchange(host, port, raw, timeout, method == "HEAD");
}

inline HttpResponse http_get(const std::string& host, int port, std::string_view target,
                             const std::vector<std::string>& extra_headers = {}) {
  return http_request(host, port, "GET", target, extra_headers);
}

}  // namespace nodeprobe::e2e

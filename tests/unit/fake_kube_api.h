#pragma once

// A Kubernetes API server stand-in for the pod watcher's tests, in the test process (civetweb),
// speaking the wire format of GET /api/v1/pods: a list is a PodList with
// metadata.resourceVersion; a watch (watch=1) is a chunked stream of newline-separated events
// {"type":"ADDED","object":{...}} from the asked resourceVersion on. The test drives it: pods
// change (each change is an event with the next resourceVersion), raw lines go out (BOOKMARK,
// ERROR, malformed, oversized), streams close, tokens change, requests fail with a status.
//
//   FakeKubeApi api;                       // http://127.0.0.1:<port>
//   api.apply("ADDED", pod_json(...));     // a pod appears
//   api.fail_next(503, 2);                 // the next two requests get 503

#include <civetweb.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/http_server.h"

namespace nodeprobe::testing {

class FakeKubeApi {
 public:
  // Plain HTTP: Debian's civetweb crashes in its OpenSSL 3 glue when serving TLS, so the HTTPS
  // test uses `openssl s_server` instead (kube_watch_test.cpp).
  FakeKubeApi() {
    const char* config[] = {"listening_ports", "127.0.0.1:0", "num_threads", "8", nullptr};
    mg_callbacks callbacks{};
    callbacks.log_message = [](const mg_connection*, const char*) { return 1; };
    mg_init_data init{};
    init.callbacks = &callbacks;
    init.user_data = this;
    init.configuration_options = config;
    char error_text[256] = {};
    mg_error_data error{};
    unsigned error_code = 0;
    error.code = &error_code;
    error.text = error_text;
    error.text_buffer_size = sizeof error_text;
    ctx_ = mg_start2(&init, &error);
    if (ctx_ == nullptr) {
      throw std::runtime_error(std::string("fake API server did not start: ") + error_text);
    }
    mg_server_port port{};
    mg_get_server_ports(ctx_, 1, &port);
    url_ = "http://127.0.0.1:" + std::to_string(port.port);
    mg_set_request_handler(ctx_, "/api/v1/pods$", &FakeKubeApi::handle, this);
  }

  ~FakeKubeApi() {
    shut_down();
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    mg_stop(ctx_);
  }

  const std::string& url() const { return url_; }

  // A pod change, as the API server would stream it and reflect it in later lists.
  void apply(const std::string& type, const std::string& pod_uid, const std::string& object) {
    std::lock_guard lock(mu_);
    ++rv_;
    std::string with_rv = set_resource_version(object, rv_);
    if (type == "DELETED") {
      pods_.erase(pod_uid);
    } else {
      pods_[pod_uid] = with_rv;
    }
    log_.push_back({rv_, R"({"type":")" + type + R"(","object":)" + with_rv + "}"});
    cv_.notify_all();
  }

  // A line as it is, to the watches open now and later ones from an older resourceVersion.
  void send_raw(const std::string& line) {
    std::lock_guard lock(mu_);
    ++rv_;
    log_.push_back({rv_, line});
    cv_.notify_all();
  }

  // A BOOKMARK at the next resourceVersion; returns it.
  int bookmark() {
    std::lock_guard lock(mu_);
    ++rv_;
    log_.push_back({rv_, R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1",)"
                         R"("metadata":{"resourceVersion":")" +
                             std::to_string(rv_) + R"("}}})"});
    cv_.notify_all();
    return rv_;
  }

  // etcd compaction past every open watch, which the API server ends: a watch from an older
  // version gets an ERROR event with a 410 Status.
  void compact() {
    std::lock_guard lock(mu_);
    compacted_ = ++rv_;
    ++generation_;
    cv_.notify_all();
  }

  // Ends every open watch stream cleanly, as the server does at timeoutSeconds.
  void close_watches() {
    std::lock_guard lock(mu_);
    ++generation_;
    cv_.notify_all();
  }

  // Only "Authorization: Bearer <token>" is accepted from now on; open watches are cut.
  void require_token(const std::string& token) {
    std::lock_guard lock(mu_);
    token_ = token;
    ++generation_;
    cv_.notify_all();
  }

  // Back to a server without pods, failures or token, for the next test (starting a civetweb
  // server is quick, stopping one that served a request takes it two seconds).
  void reset() {
    std::unique_lock lock(mu_);
    ++generation_;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return open_watches_ == 0; });
    pods_.clear();
    log_.clear();
    token_.clear();
    fail_count_ = 0;
    next_list_body_.clear();
    requests_.clear();
    compacted_ = 0;
    refusing_ = false;
  }

  // Ends every stream and answers every later request with 503, so that the clients can be
  // stopped before the server: civetweb then stops at once instead of waiting on handlers whose
  // client went away (it cannot tell until it writes).
  void shut_down() {
    std::unique_lock lock(mu_);
    refusing_ = true;
    ++generation_;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return open_watches_ == 0; });
  }

  // The next `count` requests are answered with `status` and a Status body.
  void fail_next(int status, int count) {
    std::lock_guard lock(mu_);
    fail_status_ = status;
    fail_count_ = count;
  }

  // A list body sent as it is (malformed, oversized), once.
  void next_list_body(const std::string& body) {
    std::lock_guard lock(mu_);
    next_list_body_ = body;
  }

  struct Request {
    std::chrono::steady_clock::time_point at;
    bool watch = false;
    std::string query;
    std::string authorization;
    int status = 200;
  };
  std::vector<Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int resource_version() const {
    std::lock_guard lock(mu_);
    return rv_;
  }
  int count(bool watch, int status = 200) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& r : requests_) n += r.watch == watch && r.status == status ? 1 : 0;
    return n;
  }
  int open_watches() const {
    std::lock_guard lock(mu_);
    return open_watches_;
  }

 private:
  static std::string set_resource_version(const std::string& object, int rv) {
    // Every test pod's metadata starts with {"metadata":{ ... as pod_json writes it.
    const std::string key = R"("metadata":{)";
    auto at = object.find(key);
    if (at == std::string::npos) return object;
    std::string out = object;
    out.insert(at + key.size(), R"("resourceVersion":")" + std::to_string(rv) + R"(",)");
    return out;
  }

  static void send_status(mg_connection* conn, int status) {
    std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                       R"("code":)" +
                       std::to_string(status) + "}";
    mg_printf(conn,
              "HTTP/1.1 %d Error\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n%s",
              status, body.size(), body.c_str());
  }

  static int handle(mg_connection* conn, void* self) {
    return static_cast<FakeKubeApi*>(self)->serve(conn);
  }

  int serve(mg_connection* conn) {
    const mg_request_info* info = mg_get_request_info(conn);
    std::string query = info->query_string != nullptr ? info->query_string : "";
    const char* auth = mg_get_header(conn, "Authorization");
    Request request{std::chrono::steady_clock::now(), !query_values(query, "watch").empty(), query,
                    auth != nullptr ? auth : "", 200};
    std::unique_lock lock(mu_);
    if (refusing_) {
      lock.unlock();
      send_status(conn, 503);
      return 503;
    }
    if (fail_count_ > 0) {
      --fail_count_;
      request.status = fail_status_;
    } else if (!token_.empty() && request.authorization != "Bearer " + token_) {
      request.status = 401;
    }
    requests_.push_back(request);
    if (request.status != 200) {
      lock.unlock();
      send_status(conn, request.status);
      return request.status;
    }
    if (!request.watch) {
      std::string body;
      if (!next_list_body_.empty()) {
        body = std::move(next_list_body_);
        next_list_body_.clear();
      } else {
        body = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":")" +
               std::to_string(rv_) + R"("},"items":[)";
        bool first = true;
        for (const auto& [uid, pod] : pods_) {
          if (!first) body += ",";
          body += pod;
          first = false;
        }
        body += "]}";
      }
      lock.unlock();
      mg_printf(conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                "Connection: close\r\n\r\n",
                body.size());
      mg_write(conn, body.data(), body.size());
      return 200;
    }
    return stream(conn, lock, query);
  }

  int stream(mg_connection* conn, std::unique_lock<std::mutex>& lock, const std::string& query) {
    auto rv_values = query_values(query, "resourceVersion");
    int from = rv_values.empty() || rv_values[0].empty() ? 0 : std::stoi(rv_values[0]);
    int generation = generation_;
    ++open_watches_;
    lock.unlock();
    // Connection: close, as civetweb would otherwise hold the connection for another request
    // and make mg_stop wait for it.
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    auto send_line = [&](const std::string& line) {
      std::string chunk = line + "\n";
      return mg_send_chunk(conn, chunk.data(), static_cast<unsigned>(chunk.size())) > 0;
    };
    lock.lock();
    if (from < compacted_) {
      lock.unlock();
      send_line(R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)"
                R"("status":"Failure","message":"too old resource version: )" +
                std::to_string(from) + R"(","reason":"Expired","code":410}})");
      lock.lock();
    } else {
      int sent = from;
      while (!stopping_ && generation == generation_) {
        std::vector<std::string> lines;
        for (const auto& [rv, line] : log_) {
          if (rv > sent) lines.push_back(line);
        }
        if (!lines.empty()) {
          sent = rv_;
          lock.unlock();
          bool ok = true;
          for (const auto& line : lines) ok = ok && send_line(line);
          lock.lock();
          if (!ok) break;
          continue;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(200));
      }
    }
    lock.unlock();
    mg_send_chunk(conn, "", 0);
    lock.lock();
    --open_watches_;
    cv_.notify_all();
    lock.unlock();
    return 200;
  }

  mg_context* ctx_ = nullptr;
  std::string url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool refusing_ = false;
  int rv_ = 100;
  int compacted_ = 0;
  int generation_ = 0;
  int open_watches_ = 0;
  std::map<std::string, std::string> pods_;       // by UID, as a list shows them
  std::vector<std::pair<int, std::string>> log_;  // resourceVersion, event line
  std::string token_;
  int fail_status_ = 0;
  int fail_count_ = 0;
  std::string next_list_body_;
  std::vector<Request> requests_;
};

}  // namespace nodeprobe::testing

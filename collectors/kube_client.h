#pragma once

// HTTP(S) to the Kubernetes API server with libcurl: one bounded GET for lists, one streamed
// GET for watches. Used by one thread (the pod watcher); interrupt() may come from any thread.

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace nodeprobe {

struct CurlApi;

struct KubeEndpoint {
  std::string base_url;    // "https://10.96.0.1:443", without a trailing slash
  std::string token_file;  // re-read before every request (the kubelet rotates it); "" = none
  std::string ca_file;     // "" = the system's CAs
  long connect_timeout_seconds = 10;
  long request_timeout_seconds = 60;  // a list
  long stream_idle_seconds = 600;     // a watch silent this long is cut (bookmarks come ~1/min)
};

struct KubeResponse {
  long status = 0;         // HTTP status; 0 when none came
  std::string error;       // why the request failed before or during the transfer; "" if not
  bool too_large = false;  // the document was above its cap
  bool interrupted = false;
  std::string body;  // the document (get), or the start of a non-200 answer (stream)
};

class KubeClient {
 public:
  explicit KubeClient(KubeEndpoint endpoint);
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // GET base_url + path; a body above max_bytes ends the request with too_large.
  KubeResponse get(const std::string& path, std::size_t max_bytes);

  // What a stream reports while it runs.
  struct StreamHandler {
    std::function<void()> on_open;                  // the server answered 200
    std::function<bool(std::string_view)> on_line;  // false ends the stream
    std::function<void()> on_oversized;             // a line above max_line was dropped
  };

  // GET base_url + path as a stream of newline-separated documents (a watch). Every line up to
  // max_line bytes goes to on_line; a longer line is dropped whole as it streams (memory stays
  // bounded) and reported to on_oversized.
  KubeResponse stream(const std::string& path, std::size_t max_line, const StreamHandler& handler);

  // Ends the request in progress at once, and makes every later one return interrupted.
  void interrupt();

 private:
  struct Transfer;
  KubeResponse perform(Transfer& transfer, const std::string& path, bool streaming);

  KubeEndpoint endpoint_;
  const CurlApi* curl_ = nullptr;  // nullptr when libcurl could not be loaded
  std::string curl_error_;
  void* multi_ = nullptr;  // CURLM*
  std::atomic<bool> interrupted_{false};
};

}  // namespace nodeprobe

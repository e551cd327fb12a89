#include "collectors/kube_client.h"

#include <cstring>
#include <mutex>

#include "agent/parse.h"
#include "agent/read_file.h"
#include "collectors/curl_api.h"

namespace nodeprobe {
namespace {

// A non-200 answer to a watch is a Status document; its start is enough to log.
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::size_t kMaxTokenBytes = 64 * 1024;

struct CurlHeaders {
  const CurlApi& curl;
  curl_slist* list = nullptr;
  explicit CurlHeaders(const CurlApi& api) : curl(api) {}
  ~CurlHeaders() { curl.slist_free_all(list); }
  void add(const std::string& header) { list = curl.slist_append(list, header.c_str()); }
};

}  // namespace

struct KubeClient::Transfer {
  const CurlApi* curl = nullptr;
  CURL* easy = nullptr;
  KubeResponse response;
  std::size_t max_bytes = 0;
  // streaming
  bool streaming = false;
  std::string line;
  bool skipping = false;  // inside an oversized line, dropped up to its newline
  bool ended_by_reader = false;
  const KubeClient::StreamHandler* handler = nullptr;

  long status() const {
    long code = 0;
    curl->easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  // Returns false to end the transfer.
  bool take(const char* data, std::size_t n) {
    if (!streaming || status() != 200) {
      std::size_t cap = streaming ? kMaxErrorBody : max_bytes;
      if (response.body.size() + n > cap) {
        response.too_large = !streaming;
        response.body.append(data, cap - response.body.size());
        return streaming;  // a long error answer is cut short, a long list fails
      }
      response.body.append(data, n);
      return true;
    }
    std::size_t pos = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
      std::size_t end = nl != nullptr ? static_cast<std::size_t>(nl - data) : n;
      if (!skipping) {
        if (line.size() + (end - pos) > max_bytes) {
          handler->on_oversized();
          line.clear();
          line.shrink_to_fit();
          skipping = true;
        } else {
          line.append(data + pos, end - pos);
        }
      }
      if (nl == nullptr) break;
      if (!skipping && !line.empty() && !handler->on_line(line)) {
        ended_by_reader = true;
        return false;
      }
      line.clear();
      skipping = false;
      pos = end + 1;
    }
    return true;
  }

  // The empty line that ends the headers: a watch is open once it comes with a 200.
  static std::size_t header(char* data, std::size_t size, std::size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::size_t n = size * count;
    bool end_of_headers = n <= 2 && (n == 0 || data[0] == '\r' || data[0] == '\n');
    if (t->streaming && end_of_headers && t->status() == 200) t->handler->on_open();
    return n;
  }

  static std::size_t write(char* data, std::size_t size, std::size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    return t->take(data, size * count) ? size * count : 0;
  }
};

KubeClient::KubeClient(KubeEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  curl_ = curl_api(&curl_error_);
  if (curl_ != nullptr) multi_ = curl_->multi_init();
}

KubeClient::~KubeClient() {
  if (multi_ != nullptr) curl_->multi_cleanup(static_cast<CURLM*>(multi_));
}

void KubeClient::interrupt() {
  interrupted_ = true;
  if (multi_ != nullptr) curl_->multi_wakeup(static_cast<CURLM*>(multi_));
}

KubeResponse KubeClient::get(const std::string& path, std::size_t max_bytes) {
  Transfer transfer;
  transfer.max_bytes = max_bytes;
  return perform(transfer, path, false);
}

KubeResponse KubeClient::stream(const std::string& path, std::size_t max_line,
                                const StreamHandler& handler) {
  Transfer transfer;
  transfer.max_bytes = max_line;
  transfer.streaming = true;
  transfer.handler = &handler;
  return perform(transfer, path, true);
}

KubeResponse KubeClient::perform(Transfer& transfer, const std::string& path, bool streaming) {
  KubeResponse& response = transfer.response;
  if (interrupted_) {
    response.interrupted = true;
    return response;
  }
  if (multi_ == nullptr) {
    response.error = "libcurl: " + (curl_error_.empty() ? "curl_multi_init failed" : curl_error_);
    return response;
  }
  const CurlApi& curl = *curl_;
  CurlHeaders headers(curl);
  headers.add("Accept: application/json");
  if (!endpoint_.token_file.empty()) {
    std::string token;
    int err = 0;
    if (!try_read_file(endpoint_.token_file, token, err, kMaxTokenBytes)) {
      response.error = "token file " + endpoint_.token_file + ": " + std::strerror(err);
      return response;
    }
    token = std::string(trim(token));
    if (!token.empty()) headers.add("Authorization: Bearer " + token);
  }

  CURL* easy = curl.easy_init();
  if (easy == nullptr) {
    response.error = "libcurl: curl_easy_init failed";
    return response;
  }
  transfer.curl = &curl;
  transfer.easy = easy;
  std::string url = endpoint_.base_url + path;
  curl.easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl.easy_setopt(easy, CURLOPT_HTTPHEADER, headers.list);
  curl.easy_setopt(easy, CURLOPT_USERAGENT, "nodeprobe");
  curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // gzip, as client-go asks for
  curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, endpoint_.connect_timeout_seconds);
  if (streaming) {
    curl.easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl.easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, endpoint_.stream_idle_seconds);
  } else {
    curl.easy_setopt(easy, CURLOPT_TIMEOUT, endpoint_.request_timeout_seconds);
  }
  if (!endpoint_.ca_file.empty()) curl.easy_setopt(easy, CURLOPT_CAINFO, endpoint_.ca_file.c_str());
  curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::write);
  curl.easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::header);
  curl.easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);

  auto* multi = static_cast<CURLM*>(multi_);
  curl.multi_add_handle(multi, easy);
  CURLcode result = CURLE_OK;
  int running = 1;
  while (running > 0) {
    if (curl.multi_perform(multi, &running) != CURLM_OK) break;
    if (interrupted_) {
      response.interrupted = true;
      break;
    }
    if (running > 0) curl.multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  int queued = 0;
  while (CURLMsg* msg = curl.multi_info_read(multi, &queued)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) result = msg->data.result;
  }
  response.status = transfer.status();
  if (!response.interrupted && result != CURLE_OK && !transfer.ended_by_reader &&
      !response.too_large) {
    response.error = curl.easy_strerror(result);
  }
  curl.multi_remove_handle(multi, easy);
  curl.easy_cleanup(easy);
  return response;
}

}  // namespace nodeprobe

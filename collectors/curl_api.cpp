#include "collectors/curl_api.h"

#include "agent/dynamic_library.h"

namespace nodeprobe {
namespace {

struct Loaded {
  CurlApi api{};
  std::string error;
  bool ok = false;
};

Loaded load() {
  Loaded out;
  static DynamicLibrary lib("libcurl.so.4");
  auto& a = out.api;
  out.ok = lib.bind("curl_global_init", a.global_init) && lib.bind("curl_easy_init", a.easy_init) &&
           lib.bind("curl_easy_setopt", a.easy_setopt) &&
           lib.bind("curl_easy_getinfo", a.easy_getinfo) &&
           lib.bind("curl_easy_cleanup", a.easy_cleanup) &&
           lib.bind("curl_easy_strerror", a.easy_strerror) &&
           lib.bind("curl_multi_init", a.multi_init) &&
           lib.bind("curl_multi_add_handle", a.multi_add_handle) &&
           lib.bind("curl_multi_remove_handle", a.multi_remove_handle) &&
           lib.bind("curl_multi_perform", a.multi_perform) &&
           lib.bind("curl_multi_poll", a.multi_poll) &&
           lib.bind("curl_multi_wakeup", a.multi_wakeup) &&
           lib.bind("curl_multi_info_read", a.multi_info_read) &&
           lib.bind("curl_multi_cleanup", a.multi_cleanup) &&
           lib.bind("curl_slist_append", a.slist_append) &&
           lib.bind("curl_slist_free_all", a.slist_free_all);
  out.error = lib.error();
  if (out.ok && a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    out.ok = false;
    out.error = "curl_global_init failed";
  }
  return out;
}

}  // namespace

const CurlApi* curl_api(std::string* error) {
  static const Loaded loaded = load();
  if (!loaded.ok) {
    if (error != nullptr) *error = loaded.error;
    return nullptr;
  }
  return &loaded.api;
}

}  // namespace nodeprobe

#pragma once

// libcurl, loaded when the kubernetes collector first talks to an API server rather than linked:
// libcurl brings OpenSSL, GnuTLS, Kerberos, LDAP and a dozen more libraries whose pages and
// start-up allocations cost every agent about 6 MB of resident memory (docs/performance.md),
// while only agents inside a cluster use it.

#include <curl/curl.h>

#include <string>

namespace nodeprobe {

struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  CURLM* (*multi_init)();
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, curl_waitfd*, unsigned int, int, int*);
  CURLMcode (*multi_wakeup)(CURLM*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  CURLMcode (*multi_cleanup)(CURLM*);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// The loaded library with curl_global_init done, or nullptr with the reason in `error`. Loaded
// once; later calls return the same answer.
const CurlApi* curl_api(std::string* error);

}  // namespace nodeprobe

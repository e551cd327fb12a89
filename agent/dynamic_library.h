#pragma once

// A shared library loaded on first use rather than linked, for what only some collectors need:
// a linked library and everything it links are mapped, initialised and partly resident in
// every agent, used or not (libcurl alone brings OpenSSL, GnuTLS, Kerberos and LDAP: about
// 6 MB; docs/performance.md). Loaded once, never unloaded.

#include <dlfcn.h>

#include <string>

namespace nodeprobe {

class DynamicLibrary {
 public:
  explicit DynamicLibrary(const char* soname);

  bool ok() const { return handle_ != nullptr && error_.empty(); }
  // Why loading or binding failed: "libsystemd.so.0: cannot open shared object file ...".
  const std::string& error() const { return error_; }

  // Points `target` at the library's symbol `name`; on failure records the error and returns
  // false. Declare targets with the header's own types (decltype(&::sd_bus_new)) so that a
  // mismatch is a compile error.
  template <typename F>
  bool bind(const char* name, F& target) {
    if (!ok()) return false;
    void* symbol = ::dlsym(handle_, name);
    if (symbol == nullptr) {
      error_ = soname_ + " lacks " + name;
      return false;
    }
    target = reinterpret_cast<F>(symbol);
    return true;
  }

 private:
  std::string soname_;
  void* handle_ = nullptr;
  std::string error_;
};

}  // namespace nodeprobe

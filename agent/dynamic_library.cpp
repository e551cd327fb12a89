#include "agent/dynamic_library.h"

namespace nodeprobe {

DynamicLibrary::DynamicLibrary(const char* soname) : soname_(soname) {
  handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    error_ = why != nullptr ? why : soname_ + ": cannot be loaded";
  }
}

}  // namespace nodeprobe

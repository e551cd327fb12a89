#include "agent/gzip.h"

#include <libdeflate.h>

#include <mutex>
#include <vector>

#include "agent/parse.h"

namespace nodeprobe {

namespace {

// libdeflate compresses a whole buffer in one call, about three times as fast as zlib at its
// fastest level on a scrape-sized body, and needs no per-call reset of its tables (zlib
// clears 256 KiB of state for each stream). Compressors are kept for reuse, as many as scrapes
// were compressed at once, up to kKept.
class CompressorPool {
 public:
  libdeflate_compressor* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        auto* c = free_.back();
        free_.pop_back();
        return c;
      }
    }
    return libdeflate_alloc_compressor(1);  // the fastest level, like zlib's Z_BEST_SPEED
  }

  void release(libdeflate_compressor* c) {
    {
      std::lock_guard lock(mu_);
      if (free_.size() < kKept) {
        free_.push_back(c);
        return;
      }
    }
    libdeflate_free_compressor(c);
  }

 private:
  static constexpr std::size_t kKept = 2;
  std::mutex mu_;
  std::vector<libdeflate_compressor*> free_;
};

CompressorPool& compressor_pool() {
  static auto* pool = new CompressorPool;  // never destroyed: scrapes may run during exit
  return *pool;
}

}  // namespace

bool gzip_compress(std::string_view in, std::string& out) {
  auto* c = compressor_pool().acquire();
  if (c == nullptr) return false;
  out.resize(libdeflate_gzip_compress_bound(c, in.size()));
  std::size_t size = libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size());
  compressor_pool().release(c);
  out.resize(size);
  return size > 0;
}

bool accepts_gzip(std::string_view accept_encoding) {
  for (auto part : split(accept_encoding, ',')) {
    auto params = split(part, ';');
    auto coding = trim(params[0]);
    if (coding != "gzip" && coding != "*") continue;
    bool zero = false;
    for (std::size_t i = 1; i < params.size(); ++i) {
      auto p = trim(params[i]);
      if (p.starts_with("q=")) {
        auto q = parse_double(p.substr(2));
        zero = !q || *q <= 0;
      }
    }
    if (!zero) return true;
  }
  return false;
}

}  // namespace nodeprobe

#include "agent/gzip.h"

#include <zlib.h>

#include <mutex>
#include <vector>

#include "agent/parse.h"

namespace nodeprobe {

namespace {

// zlib's deflate state is about 256 KiB, allocated and cleared by every deflateInit2. Freed after
// each scrape, glibc hands most of it back to the kernel and the next scrape page-faults it in
// again: bench/run.sh measured that at a third of a gzip scrape's CPU. Finished streams are kept
// and reset instead, as many as scrapes were compressed at once, up to kKept.
class DeflatePool {
 public:
  z_stream* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        z_stream* zs = free_.back();
        free_.pop_back();
        return zs;
      }
    }
    auto* zs = new z_stream{};
    // windowBits 15 + 16 asks zlib for a gzip header and trailer.
    if (deflateInit2(zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      delete zs;
      return nullptr;
    }
    return zs;
  }

  void release(z_stream* zs) {
    if (deflateReset(zs) == Z_OK) {
      std::lock_guard lock(mu_);
      if (free_.size() < kKept) {
        free_.push_back(zs);
        return;
      }
    }
    deflateEnd(zs);
    delete zs;
  }

 private:
  static constexpr std::size_t kKept = 2;
  std::mutex mu_;
  std::vector<z_stream*> free_;
};

DeflatePool& deflate_pool() {
  static auto* pool = new DeflatePool;  // never destroyed: scrapes may run during exit
  return *pool;
}

}  // namespace

bool gzip_compress(std::string_view in, std::string& out) {
  z_stream* zs = deflate_pool().acquire();
  if (zs == nullptr) return false;
  out.resize(deflateBound(zs, static_cast<uLong>(in.size())) + 32);
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  zs->next_out = reinterpret_cast<Bytef*>(out.data());
  zs->avail_out = static_cast<uInt>(out.size());
  int rc = deflate(zs, Z_FINISH);
  out.resize(zs->total_out);
  deflate_pool().release(zs);
  return rc == Z_STREAM_END;
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

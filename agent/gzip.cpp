#include "agent/gzip.h"

#include <zlib.h>

#include "agent/parse.h"

namespace nodeprobe {

bool gzip_compress(std::string_view in, std::string& out) {
  z_stream zs{};
  // windowBits 15 + 16 asks zlib for a gzip header and trailer.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
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

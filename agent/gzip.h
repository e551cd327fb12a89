#pragma once

#include <string>
#include <string_view>

namespace nodeprobe {

// gzip-compresses `in` at libdeflate's fastest level: on a scrape-sized payload it keeps most of
// the size saving for a fraction of a higher level's CPU. Returns false if compression fails.
bool gzip_compress(std::string_view in, std::string& out);

// True when an Accept-Encoding header value allows gzip (and does not give it q=0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace nodeprobe {

// One protocol line of /proc/net/sockstat{,6}: "TCP: inuse 6 orphan 0 tw 414 alloc 6 mem 0".
// Holds the states node_exporter knows (inuse, orphan, tw, alloc, mem, memory), in the file's
// order; others are left out. Views into the parsed text.
struct SockstatProtocol {
  std::string_view protocol;
  std::vector<std::pair<std::string_view, std::int64_t>> states;
};

struct Sockstat {
  std::optional<std::int64_t> sockets_used;  // "sockets: used 25" (IPv4 file only)
  std::vector<SockstatProtocol> protocols;
};

// Lines that are not "<NAME>: key value ..." with whole-number values are skipped.
Sockstat parse_sockstat(std::string_view text);

}  // namespace nodeprobe

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace nodeprobe {

// The first three columns of one /proc/net/softnet_stat line (net/core/net-procfs.c,
// softnet_seq_show): packets processed, dropped (backlog full), and time_squeeze (net_rx_action
// ran out of budget or time).
struct SoftnetCpu {
  std::uint64_t processed = 0;
  std::uint64_t dropped = 0;
  std::uint64_t time_squeezed = 0;
};

// One entry per line, in file order: node_exporter 1.5 labels them cpu="<line number>". The
// kernel prints at least 9 hex columns per line (11 since 2.6.36, 13 since 5.10); a line with
// fewer or with a non-hex column makes the whole file unreadable (nullopt), since skipping it
// would give the following lines the wrong cpu label.
std::optional<std::vector<SoftnetCpu>> parse_softnet(std::string_view text);

}  // namespace nodeprobe

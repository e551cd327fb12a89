#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// OpenZFS's kstat files under /proc/spl/kstat/zfs (module/os/linux/spl/spl-kstat.c), read as
// node_exporter 1.5's zfs collector reads them.

class KstatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A named kstat (arcstats, zil, objset-0x..., ...): a header line, then "name type data" and
// one line per value. Lines of fewer than three fields are skipped; `data` is the third field.
struct KstatNamedValue {
  std::string name;
  std::string type;  // KSTAT_DATA_*: "4" is uint64, "7" a string
  std::string data;
};

// Throws KstatError when the "name type data" header never comes (node_exporter: "did not parse
// a single metric").
std::vector<KstatNamedValue> parse_kstat_named(std::string_view text);

// A pool's I/O kstat (<pool>/io, KSTAT_TYPE_IO): a header of at least twelve field names from
// "nread", then rows of as many unsigned values. An empty file, or one without that header, has
// no values; a row that is short or not numeric throws KstatError (node_exporter 1.5 panics on
// a short row).
std::vector<std::pair<std::string, std::uint64_t>> parse_kstat_io(std::string_view text);

// The uint64 of a KSTAT_DATA_UINT64 value; throws KstatError naming `key` for anything else.
std::uint64_t kstat_uint64(std::string_view data, std::string_view key);

}  // namespace nodeprobe

#pragma once

#include <optional>
#include <string_view>

namespace nodeprobe {

struct FileNr {
  double allocated = 0;
  double maximum = 0;
};

// "1024\t0\t9223372036854775807" -> {1024, 9.22e18}; nullopt unless exactly three numbers.
std::optional<FileNr> parse_file_nr(std::string_view text);

}  // namespace nodeprobe

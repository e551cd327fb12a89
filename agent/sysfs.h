#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// Helpers for the collectors that walk sysfs classes (hwmon, thermal, power_supply, ...): many
// small one-value files, any of which may be missing on a given driver or kernel.

// An attribute's text without surrounding whitespace, or nullopt with the errno in `err` when
// it cannot be read (sysfs attributes hold at most a page; larger files are refused: EFBIG).
std::optional<std::string> read_attribute(const std::string& path, int& err);

// The entry names of a directory, sorted, without "." and "..". nullopt with the errno in
// `err` when the directory cannot be listed.
std::optional<std::vector<std::string>> list_directory(const std::string& path, int& err);

// A sysfs integer: decimal, or hexadecimal with a "0x" prefix as some drivers print flags
// (the same two forms prometheus/procfs accepts).
std::optional<std::int64_t> parse_sysfs_int(std::string_view s);

}  // namespace nodeprobe

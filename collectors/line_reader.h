#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace nodeprobe {

// Calls on_line(line) for each line of a file (without the newline; a last line without one
// counts), reading in 64 KiB chunks. For kernel tables that grow with the host — /proc/net/udp
// has a line per socket, /proc/net/arp a line per neighbour — and so can pass read_file's cap
// on a busy machine, while the collectors only keep running totals.
//
// A line longer than max_line bytes is passed cut at max_line (it cannot be a valid table row).
// Throws FileError when the file cannot be opened or read; not_found() tells absence apart.
void for_each_file_line(const std::string& path,
                        const std::function<void(std::string_view)>& on_line,
                        std::size_t max_line = 4096);

}  // namespace nodeprobe

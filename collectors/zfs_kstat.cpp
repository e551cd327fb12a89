#include "collectors/zfs_kstat.h"

#include "agent/parse.h"

namespace nodeprobe {

std::vector<KstatNamedValue> parse_kstat_named(std::string_view text) {
  std::vector<KstatNamedValue> out;
  bool header_seen = false;
  for_each_line(text, [&](std::string_view line) {
    auto parts = split_fields(line);
    if (!header_seen) {
      header_seen =
          parts.size() == 3 && parts[0] == "name" && parts[1] == "type" && parts[2] == "data";
      return;
    }
    if (parts.size() < 3) return;
    out.push_back({std::string(parts[0]), std::string(parts[1]), std::string(parts[2])});
  });
  if (!header_seen) throw KstatError("no \"name type data\" header");
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> parse_kstat_io(std::string_view text) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  std::vector<std::string_view> header;
  for_each_line(text, [&](std::string_view line) {
    auto parts = split_fields(line);
    if (header.empty()) {
      if (parts.size() >= 12 && parts[0] == "nread") header = parts;
      return;
    }
    if (parts.size() < header.size()) {
      throw KstatError("I/O kstat row has " + std::to_string(parts.size()) + " values for " +
                       std::to_string(header.size()) + " fields");
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
      out.emplace_back(std::string(header[i]), kstat_uint64(parts[i], header[i]));
    }
  });
  return out;
}

std::uint64_t kstat_uint64(std::string_view data, std::string_view key) {
  auto v = parse_uint(data);
  if (!v)
    throw KstatError("could not parse expected integer value for \"" + std::string(key) + "\"");
  return *v;
}

}  // namespace nodeprobe

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

struct MeminfoField {
  std::string
      name;  // the metric name's middle: "MemTotal_bytes", "Active_anon_bytes", "HugePages_Total"
  double value = 0;  // bytes for fields the kernel gives in kB
};

// Parses /proc/meminfo as node_exporter names it: "Active(anon):  123 kB" becomes
// {"Active_anon_bytes", 125952}. Lines that are not a name, an unsigned integer and an optional
// "kB" are skipped.
std::vector<MeminfoField> parse_meminfo(std::string_view text);

}  // namespace nodeprobe

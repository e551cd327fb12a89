#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nodeprobe {

// One processor's block of /proc/cpuinfo, with the fields node_cpu_info and the flag/bug info
// families label by. A field the architecture does not print stays empty.
struct CpuInfo {
  std::string processor;  // "0", "1", ...
  std::string vendor_id;
  std::string cpu_family;
  std::string model;
  std::string model_name;
  std::string stepping;
  std::string microcode;
  std::string cache_size;
  std::string physical_id;
  std::string core_id;
  std::vector<std::string> flags;
  std::vector<std::string> bugs;
};

// Parses /proc/cpuinfo as x86 prints it ("key\t: value" lines, a "processor" line opening each
// CPU's block). arm64's per-CPU "Features" line counts as flags. Lines before the first
// "processor" line, and blocks whose processor number is not a number, are skipped.
std::vector<CpuInfo> parse_cpuinfo(std::string_view text);

}  // namespace nodeprobe

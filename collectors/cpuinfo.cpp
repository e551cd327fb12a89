#include "collectors/cpuinfo.h"

#include "agent/parse.h"

namespace nodeprobe {

std::vector<CpuInfo> parse_cpuinfo(std::string_view text) {
  std::vector<CpuInfo> out;
  bool in_block = false;  // false before the first "processor" line and after a bad one
  for_each_line(text, [&](std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    auto key = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (key == "processor") {
      in_block = parse_uint(value).has_value();
      if (in_block) out.emplace_back().processor = std::string(value);
      return;
    }
    if (!in_block) return;
    auto words = [&] {
      std::vector<std::string> list;
      for (auto w : split_fields(value)) list.emplace_back(w);
      return list;
    };
    CpuInfo& cpu = out.back();
    // "vendor" is what s390 and some older kernels print instead of "vendor_id".
    if (key == "vendor_id" || key == "vendor") {
      cpu.vendor_id = value;
    } else if (key == "cpu family") {
      cpu.cpu_family = value;
    } else if (key == "model") {
      cpu.model = value;
    } else if (key == "model name") {
      cpu.model_name = value;
    } else if (key == "stepping") {
      cpu.stepping = value;
    } else if (key == "microcode") {
      cpu.microcode = value;
    } else if (key == "cache size") {
      cpu.cache_size = value;
    } else if (key == "physical id") {
      cpu.physical_id = value;
    } else if (key == "core id") {
      cpu.core_id = value;
    } else if (key == "flags" || key == "Features") {
      cpu.flags = words();
    } else if (key == "bugs") {
      cpu.bugs = words();
    }
  });
  return out;
}

}  // namespace nodeprobe

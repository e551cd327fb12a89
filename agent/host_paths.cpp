#include "agent/host_paths.h"

namespace nodeprobe {

std::string HostPaths::join(std::string_view base, std::string_view relative) {
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  std::string out(base);
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(relative);
  return out;
}

}  // namespace nodeprobe

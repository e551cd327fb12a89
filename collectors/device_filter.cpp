#include "collectors/device_filter.h"

#include "agent/collector.h"

namespace nodeprobe {

namespace {

std::shared_ptr<const RE2> compile(std::string_view pattern, std::string_view flag) {
  if (pattern.empty()) return nullptr;
  auto re = std::make_shared<const RE2>(pattern, RE2::Quiet);
  if (!re->ok()) throw ConfigError(std::string(flag), "invalid regex: " + re->error());
  return re;
}

}  // namespace

DeviceFilter::DeviceFilter(std::string_view exclude, std::string_view exclude_flag,
                           std::string_view include, std::string_view include_flag)
    : exclude_(compile(exclude, exclude_flag)), include_(compile(include, include_flag)) {}

bool DeviceFilter::ignored(std::string_view device) const {
  if (exclude_ && RE2::PartialMatch(device, *exclude_)) return true;
  return include_ && !RE2::PartialMatch(device, *include_);
}

}  // namespace nodeprobe

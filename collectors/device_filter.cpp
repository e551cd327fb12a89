#include "collectors/device_filter.h"

#include "agent/collector.h"
#include "agent/logging.h"

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

DeviceFilter make_device_filter(DeviceFilterFlags f) {
  bool exclude_set = f.exclude != f.default_exclude;
  if (!f.old_exclude.empty()) {
    if (exclude_set) throw ConfigError(f.old_flag, "mutually exclusive with " + f.exclude_flag);
    log::warn("flag is deprecated", {{"flag", f.old_flag}, {"use", f.exclude_flag}});
    f.exclude = std::move(f.old_exclude);
    exclude_set = true;
  }
  if (!f.include.empty()) {
    if (exclude_set && !f.exclude.empty()) {
      throw ConfigError(f.include_flag, "mutually exclusive with " + f.exclude_flag);
    }
    f.exclude.clear();
  }
  return DeviceFilter(f.exclude, f.exclude_flag, f.include, f.include_flag);
}

}  // namespace nodeprobe

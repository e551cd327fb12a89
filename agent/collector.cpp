#include "agent/collector.h"

#include <CLI/CLI.hpp>

#include "agent/parse.h"

namespace nodeprobe {

std::chrono::nanoseconds duration_flag(const std::string& flag, const std::string& text,
                                       bool positive) {
  auto parsed = parse_go_duration(text);
  if (!parsed || parsed->count() < 0 || (positive && parsed->count() == 0)) {
    throw ConfigError(flag, std::string("must be a ") + (positive ? "positive " : "") +
                                "duration such as 5m or 30s, got \"" + text + "\"");
  }
  return *parsed;
}

void OptionBinder::option(std::string_view name, std::string& target, std::string_view help) {
  app_.add_option(flag_name(name), target, std::string(help))->capture_default_str();
}

void OptionBinder::option(std::string_view name, std::vector<std::string>& target,
                          std::string_view help) {
  app_.add_option(flag_name(name), target, std::string(help))->capture_default_str();
}

void OptionBinder::option(std::string_view name, double& target, std::string_view help) {
  app_.add_option(flag_name(name), target, std::string(help))->capture_default_str();
}

void OptionBinder::flag(std::string_view name, bool& target, std::string_view help) {
  std::string spec = flag_name(name) + ",!--no-collector." + prefix_.substr(12) + std::string(name);
  app_.add_flag(spec, target, std::string(help) + (target ? " [default: on]" : " [default: off]"));
}

}  // namespace nodeprobe

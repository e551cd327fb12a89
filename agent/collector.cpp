#include "agent/collector.h"

#include <CLI/CLI.hpp>

namespace nodeprobe {

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

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/host_paths.h"
#include "agent/http_server.h"
#include "agent/logging.h"

namespace nodeprobe {

// Everything the command line says, spelled like node_exporter's flags.
struct Config {
  ServerOptions server;
  AgentOptions agent;
  HostPaths paths;
  std::string log_level = "info";
  log::Format log_format = log::Format::kLogfmt;
  // Enabled collectors, configured and in list order.
  std::vector<Agent::Enabled> collectors;
};

// Parses argv, sets up logging from --log.* and configures the enabled collectors. Returns the
// config, or nullopt after printing --help/--version output (exit 0) or a one-line error naming
// the flag (exit_code set to 1).
std::optional<Config> parse_flags(int argc, const char* const* argv, int& exit_code);

// Checks that the --path.* roots are readable directories; throws ConfigError naming the flag.
void check_paths(const HostPaths& paths);

}  // namespace nodeprobe

// nodeprobe: parse flags, start the collectors and the HTTP server, run until SIGTERM/SIGINT.
#include <malloc.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "agent/agent.h"
#include "agent/flags.h"
#include "agent/http_server.h"
#include "agent/logging.h"
#include "agent/registry.h"
#include "version.h"

int main(int argc, char** argv) {
  using namespace nodeprobe;

  // glibc gives each thread that allocates its own arena (up to 8 per core); the HTTP and
  // collector threads allocate little, and one arena holds it all at a fraction of the memory
  // (each thread still has its own lock-free cache of small blocks). Against two arenas: 200 KB
  // less resident, the same CPU per scrape (docs/performance.md).
  mallopt(M_ARENA_MAX, 1);

  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-response must not kill the agent.
  signal(SIGPIPE, SIG_IGN);

  int exit_code = 0;
  auto config = parse_flags(argc, argv, exit_code);
  if (!config) return exit_code;

  std::string enabled_names;
  for (const auto& c : config->collectors) {
    if (!enabled_names.empty()) enabled_names += ",";
    enabled_names += c.name;
  }

  std::vector<std::string_view> all_names;
  for (const auto& e : collector_list()) all_names.push_back(e.name);
  Agent agent(std::move(config->collectors), std::move(all_names), config->agent);
  HttpServer server(agent, config->server);
  try {
    server.start();
  } catch (const ConfigError& e) {
    // A start-up error is one line on stderr, so the start-up log lines come after the bind.
    std::cerr << "nodeprobe: error: " << e.what() << "\n";
    return 1;
  }
  log::info("starting nodeprobe", {{"version", build::kVersion}, {"revision", build::kRevision}});
  log::info("enabled collectors", {{"collectors", enabled_names}});
  for (const auto& address : server.bound_addresses()) {
    log::info("listening", {{"address", address}, {"path", config->server.telemetry_path}});
  }

  // The first full collection makes /readyz answer 200; scrapes may run alongside it.
  std::thread([&agent] { agent.scrape_all(); }).detach();

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // Scrapes in flight may finish (each is bounded by the collector deadline). mg_stop is not
  // called: civetweb 1.15's threads notice it only at their next 2 s poll timeout, which would
  // delay every restart by up to 2 s for nothing. Collectors may be blocked in the kernel (a
  // hung mount); do not wait for them.
  auto drain_deadline =
      std::chrono::steady_clock::now() + config->agent.collector_timeout + std::chrono::seconds(1);
  while (agent.requests().in_flight().load() > 0 &&
         std::chrono::steady_clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::cout.flush();
  std::_Exit(0);
}

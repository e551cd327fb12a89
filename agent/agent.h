#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/collector_runner.h"
#include "agent/registry.h"
#include "agent/self_metrics.h"

namespace nodeprobe {

struct AgentOptions {
  std::chrono::milliseconds collector_timeout{5000};
  // --web.disable-exporter-metrics turns this off: no process_* and nodeprobe_http_* families.
  bool exporter_metrics = true;
};

// What a scrape is: the enabled collectors run under their deadline, their families merged with
// the scrape's own (node_scrape_collector_*, build info, process metrics), rendered as text.
// Independent of HTTP, so tests and benchmarks call it directly.
class Agent {
 public:
  struct Enabled {
    std::string_view name;
    std::unique_ptr<Collector> collector;
  };

  Agent(std::vector<Enabled> enabled, std::vector<std::string_view> all_names,
        AgentOptions options);

  // Turns collect[] and exclude[] into the collectors to run. An unknown or disabled name is an
  // error, described in the returned string.
  std::optional<std::string> select(const std::vector<std::string>& collect,
                                    const std::vector<std::string>& exclude,
                                    std::vector<std::size_t>& out) const;

  std::string scrape(const std::vector<std::size_t>& which);
  std::string scrape_all();

  // The serving form: the collectors run on the calling thread and `deliver` gets the body,
  // on this thread or, when this thread is held inside a collector past the hand-over time, on
  // a rescue thread by the deadline (`rescued` true). See CollectorRunner::run.
  using Deliver = std::function<void(std::string&& body, bool rescued)>;
  void scrape(const std::vector<std::size_t>& which, const Deliver& deliver);

  // True once the first full collection has finished.
  bool ready() const { return ready_.load(); }

  RequestCounters& requests() { return requests_; }

  struct CollectorState {
    std::string_view name;
    bool enabled;
    std::string last;  // "ok", "failed", "absent", "timeout", "not run yet"
  };
  std::vector<CollectorState> states() const;

 private:
  std::string assemble(const std::vector<std::size_t>& which,
                       const std::vector<CollectorOutcome>& outcomes);

  CollectorRunner runner_;
  std::vector<std::string_view> all_names_;
  AgentOptions options_;
  std::vector<std::size_t> everything_;
  RequestCounters requests_;
  std::atomic<bool> ready_{false};

  mutable std::mutex state_mu_;
  std::vector<std::string> last_status_;
  std::set<std::string> conflicts_logged_;
};

}  // namespace nodeprobe

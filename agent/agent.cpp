#include "agent/agent.h"

#include <algorithm>

#include "agent/logging.h"

namespace nodeprobe {
namespace {

std::vector<CollectorRunner::Slot> to_slots(std::vector<Agent::Enabled> enabled) {
  std::vector<CollectorRunner::Slot> slots;
  for (auto& e : enabled) slots.push_back({e.name, std::move(e.collector)});
  return slots;
}

std::string_view status_word(CollectorOutcome::Status s) {
  switch (s) {
    case CollectorOutcome::Status::kSuccess:
      return "ok";
    case CollectorOutcome::Status::kAbsent:
      return "absent";
    case CollectorOutcome::Status::kFailed:
      return "failed";
    case CollectorOutcome::Status::kTimedOut:
      return "timeout";
    case CollectorOutcome::Status::kStillRunning:
      return "stuck";
  }
  return "failed";
}

}  // namespace

Agent::Agent(std::vector<Enabled> enabled, std::vector<std::string_view> all_names,
             AgentOptions options)
    : runner_(to_slots(std::move(enabled)), options.collector_timeout),
      all_names_(std::move(all_names)),
      options_(options) {
  for (std::size_t i = 0; i < runner_.size(); ++i) everything_.push_back(i);
  last_status_.assign(runner_.size(), "not run yet");
}

std::optional<std::string> Agent::select(const std::vector<std::string>& collect,
                                         const std::vector<std::string>& exclude,
                                         std::vector<std::size_t>& out) const {
  auto index_of = [&](const std::string& name, std::size_t& index) -> std::optional<std::string> {
    for (std::size_t i = 0; i < runner_.size(); ++i) {
      if (runner_.name(i) == name) {
        index = i;
        return std::nullopt;
      }
    }
    if (std::find(all_names_.begin(), all_names_.end(), name) != all_names_.end()) {
      return "collector " + name + " is disabled";
    }
    return "unknown collector " + name;
  };
  std::vector<bool> chosen(runner_.size(), collect.empty());
  for (const auto& name : collect) {
    std::size_t i = 0;
    if (auto err = index_of(name, i)) return err;
    chosen[i] = true;
  }
  for (const auto& name : exclude) {
    std::size_t i = 0;
    if (auto err = index_of(name, i)) return err;
    chosen[i] = false;
  }
  out.clear();
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) out.push_back(i);
  }
  return std::nullopt;
}

std::string Agent::scrape_all() { return scrape(everything_); }

std::string Agent::scrape(const std::vector<std::size_t>& which) {
  return assemble(which, runner_.run(which));
}

void Agent::scrape(const std::vector<std::size_t>& which, const Deliver& deliver) {
  runner_.run(which, [&](std::vector<CollectorOutcome>&& outcomes, bool rescued) {
    deliver(assemble(which, outcomes), rescued);
  });
}

std::string Agent::assemble(const std::vector<std::size_t>& which,
                            const std::vector<CollectorOutcome>& outcomes) {
  MetricSink own;
  for (const auto& o : outcomes) {
    Labels label{{"collector", std::string(o.name)}};
    own.gauge("node_scrape_collector_duration_seconds",
              "node_exporter: Duration of a collector scrape.", o.duration_seconds, label);
    own.gauge("node_scrape_collector_success", "node_exporter: Whether a collector succeeded.",
              o.status == CollectorOutcome::Status::kSuccess ? 1 : 0, label);
  }
  write_build_info(own);
  if (options_.exporter_metrics) {
    write_process_metrics(own);
    requests_.write(own);
  }
  auto own_rendered = own.render(nullptr);

  // Merge by name. The scrape's own families come first and then the collectors in list order,
  // so on a name clash the earlier one wins (textfile is last: a .prom file cannot redefine a
  // built-in family).
  struct Entry {
    std::string_view name;
    std::string_view text;
    std::string_view source;
  };
  std::vector<Entry> entries;
  std::size_t total = 0;
  auto add = [&](const RenderedFamilies& rendered, std::string_view source) {
    for (std::size_t i = 0; i < rendered.size(); ++i) {
      entries.push_back({rendered.name(i), rendered.family_text(i), source});
    }
    total += rendered.text.size();
  };
  add(own_rendered, "nodeprobe");
  for (const auto& o : outcomes) {
    if (o.status != CollectorOutcome::Status::kSuccess || !o.families) continue;
    add(*o.families, o.name);
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });
  std::string body;
  body.reserve(total);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].name == entries[i - 1].name) {
      std::lock_guard lock(state_mu_);
      if (conflicts_logged_.insert(std::string(entries[i].name)).second) {
        log::warn("metric family emitted by two collectors; the later one is dropped",
                  {{"family", entries[i].name},
                   {"kept", entries[i - 1].source},
                   {"dropped", entries[i].source}});
      }
      continue;
    }
    body += entries[i].text;
  }

  {
    std::lock_guard lock(state_mu_);
    for (std::size_t k = 0; k < which.size(); ++k) {
      last_status_[which[k]] = std::string(status_word(outcomes[k].status));
    }
  }
  if (which.size() == runner_.size()) ready_ = true;
  return body;
}

std::vector<Agent::CollectorState> Agent::states() const {
  std::vector<CollectorState> out;
  std::lock_guard lock(state_mu_);
  for (auto name : all_names_) {
    CollectorState s{name, false, "disabled"};
    for (std::size_t i = 0; i < runner_.size(); ++i) {
      if (runner_.name(i) == name) {
        s.enabled = true;
        s.last = last_status_[i];
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace nodeprobe

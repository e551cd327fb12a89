#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "agent/collector.h"

namespace nodeprobe {

// One entry of the collector list: the single place that names every collector.
struct CollectorEntry {
  std::string_view name;
  bool enabled_by_default;
  std::string_view description;
  std::unique_ptr<Collector> (*create)();
};

// Every collector nodeprobe has, in the order their families win name conflicts (textfile
// last, so a .prom file cannot redefine a built-in family). The list generates the
// --collector.X / --no-collector.X flags, collect[] filtering and the landing page.
const std::vector<CollectorEntry>& collector_list();

}  // namespace nodeprobe

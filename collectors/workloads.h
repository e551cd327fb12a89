#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "agent/collector.h"

namespace nodeprobe {

// The workloads collector with its own clock: how tests step through the retention window.
using WorkloadsClock = std::function<std::chrono::steady_clock::time_point()>;
std::unique_ptr<Collector> make_workloads_collector(WorkloadsClock clock);

}  // namespace nodeprobe

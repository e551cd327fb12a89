#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/collector.h"

namespace nodeprobe {

// The ebpf collector with some programs attached to other raw tracepoints than their own
// (program name -> tracepoint): how tests play a kernel that lacks a tracepoint.
std::unique_ptr<Collector> make_ebpf_collector(
    std::map<std::string, std::string, std::less<>> attach_overrides);

// The ebpf collector sweeping its per-cgroup maps for removed cgroups every `sweep_interval`
// (a minute in the agent): how tests see a removed cgroup's entries go.
std::unique_ptr<Collector> make_ebpf_collector(
    std::map<std::string, std::string, std::less<>> attach_overrides,
    std::chrono::milliseconds sweep_interval);

}  // namespace nodeprobe

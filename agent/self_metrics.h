#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "agent/metric_sink.h"

namespace nodeprobe {

// Counts HTTP requests by handler and status code, and those in flight.
class RequestCounters {
 public:
  void record(std::string_view handler, int code);
  std::atomic<int>& in_flight() { return in_flight_; }
  void write(MetricSink& sink) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, double> counts_;
  std::atomic<int> in_flight_{0};
};

// nodeprobe_build_info: always present, as node_exporter_build_info is.
void write_build_info(MetricSink& sink);

// The client libraries' process_* metrics for the agent itself, from /proc/self.
void write_process_metrics(MetricSink& sink);

}  // namespace nodeprobe

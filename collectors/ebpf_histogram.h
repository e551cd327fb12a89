#pragma once

#include "agent/metric_sink.h"
#include "bpf/log2_hist.h"

namespace nodeprobe {

// A log2 histogram of nanoseconds, as the eBPF probes keep it (bpf/log2_hist.h), as a
// Prometheus histogram in seconds. The buckets are slots first_slot..last_slot, each bounded
// by 2^slot ns; slots below first_slot fold into the first bucket, slots above last_slot count
// only towards +Inf. The sum and count are exact.
HistogramValue log2_histogram_seconds(const log2_hist& hist, int first_slot, int last_slot);

}  // namespace nodeprobe

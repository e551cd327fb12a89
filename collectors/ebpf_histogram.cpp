#include "collectors/ebpf_histogram.h"

#include <algorithm>

namespace nodeprobe {

HistogramValue log2_histogram_seconds(const log2_hist& hist, int first_slot, int last_slot) {
  first_slot = std::clamp(first_slot, 0, LOG2_HIST_SLOTS - 1);
  last_slot = std::clamp(last_slot, first_slot, LOG2_HIST_SLOTS - 1);
  HistogramValue out;
  std::uint64_t below = 0;
  for (int slot = 0; slot < LOG2_HIST_SLOTS; ++slot) {
    std::uint64_t n = hist.slots[slot];
    out.count += n;
    if (slot < first_slot) {
      below += n;
    } else if (slot <= last_slot) {
      // 2^slot ns is exact in a double for every slot, and so is its value in seconds up to
      // the one rounding of the division.
      double bound = static_cast<double>(std::uint64_t{1} << slot) / 1e9;
      out.buckets.emplace_back(bound, n + (slot == first_slot ? below : 0));
    }
  }
  out.sum = static_cast<double>(hist.sum_ns) / 1e9;
  return out;
}

}  // namespace nodeprobe

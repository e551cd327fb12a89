// The log2 slots the eBPF probes fill (bpf/log2_hist.h) and their conversion to Prometheus
// histograms in seconds (collectors/ebpf_histogram.h).
#include "collectors/ebpf_histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "agent/exposition.h"
#include "bpf/log2_hist.h"

namespace nodeprobe {
namespace {

TEST(Log2HistSlot, SlotIsCeilLog2SoTheBoundIsInclusive) {
  EXPECT_EQ(log2_hist_slot(0), 0U);
  EXPECT_EQ(log2_hist_slot(1), 0U);
  EXPECT_EQ(log2_hist_slot(2), 1U);
  EXPECT_EQ(log2_hist_slot(3), 2U);
  EXPECT_EQ(log2_hist_slot(4), 2U);
  EXPECT_EQ(log2_hist_slot(5), 3U);
  for (unsigned k = 1; k < 63; ++k) {
    std::uint64_t power = std::uint64_t{1} << k;
    EXPECT_EQ(log2_hist_slot(power), k) << "2^" << k << " belongs in the bucket le=2^" << k;
    EXPECT_EQ(log2_hist_slot(power + 1), k + 1) << "2^" << k << "+1";
    EXPECT_EQ(log2_hist_slot(power - 1), k == 1 ? 0U : k) << "2^" << k << "-1";
  }
}

TEST(Log2HistSlot, HugeValuesLandInTheLastSlot) {
  EXPECT_EQ(log2_hist_slot(std::uint64_t{1} << 63), 63U);
  EXPECT_EQ(log2_hist_slot((std::uint64_t{1} << 63) + 1), 63U);
  EXPECT_EQ(log2_hist_slot(std::numeric_limits<std::uint64_t>::max()), 63U);
}

log2_hist hist_of(std::initializer_list<std::uint64_t> values_ns) {
  log2_hist h{};
  for (auto v : values_ns) {
    h.slots[log2_hist_slot(v)]++;
    h.sum_ns += v;
  }
  return h;
}

TEST(Log2HistogramSeconds, BucketsAreSlotBoundsInSecondsWithExactSumAndCount) {
  // 1 us = 1000 ns: slot 10 (le 1.024 us). 1024 ns: slot 10 too. 1025 ns: slot 11.
  auto value = log2_histogram_seconds(hist_of({1000, 1024, 1025, 3000000}), 10, 12);
  ASSERT_EQ(value.buckets.size(), 3U);
  EXPECT_DOUBLE_EQ(value.buckets[0].first, 1024e-9);
  EXPECT_EQ(value.buckets[0].second, 2U);
  EXPECT_DOUBLE_EQ(value.buckets[1].first, 2048e-9);
  EXPECT_EQ(value.buckets[1].second, 1U);
  EXPECT_DOUBLE_EQ(value.buckets[2].first, 4096e-9);
  EXPECT_EQ(value.buckets[2].second, 0U);
  // 3 ms is above the last bucket: only +Inf (the count) has it.
  EXPECT_EQ(value.count, 4U);
  EXPECT_DOUBLE_EQ(value.sum, (1000 + 1024 + 1025 + 3000000) / 1e9);
}

TEST(Log2HistogramSeconds, SlotsBelowTheFirstBucketFoldIntoIt) {
  auto value = log2_histogram_seconds(hist_of({0, 1, 7, 100, 2000}), 10, 11);
  ASSERT_EQ(value.buckets.size(), 2U);
  EXPECT_EQ(value.buckets[0].second, 4U);  // 0, 1, 7 and 100 ns are all <= 1.024 us
  EXPECT_EQ(value.buckets[1].second, 1U);
  EXPECT_EQ(value.count, 5U);
  EXPECT_DOUBLE_EQ(value.sum, 2108e-9);
}

TEST(Log2HistogramSeconds, EmptyHistogramHasZeroBucketsAndSum) {
  auto value = log2_histogram_seconds(log2_hist{}, 10, 30);
  EXPECT_EQ(value.buckets.size(), 21U);
  for (const auto& [bound, count] : value.buckets) EXPECT_EQ(count, 0U) << bound;
  EXPECT_EQ(value.count, 0U);
  EXPECT_EQ(value.sum, 0);
}

TEST(Log2HistogramSeconds, OutOfRangeSlotArgumentsAreClamped) {
  auto h = hist_of({5, std::numeric_limits<std::uint64_t>::max() / 2});
  auto value = log2_histogram_seconds(h, -3, 1000);
  EXPECT_EQ(value.buckets.size(), static_cast<std::size_t>(LOG2_HIST_SLOTS));
  EXPECT_EQ(value.count, 2U);
  auto reversed = log2_histogram_seconds(h, 20, 5);
  ASSERT_EQ(reversed.buckets.size(), 1U);
  EXPECT_EQ(reversed.buckets[0].second, 1U);  // 5 ns folds into the only bucket, le 2^20 ns
}

TEST(Log2HistogramSeconds, RendersAsACompleteCumulativeHistogram) {
  MetricSink sink;
  sink.histogram("node_sched_runqueue_latency_seconds", "Run-queue latency.",
                 log2_histogram_seconds(hist_of({900, 1500, 1500, 5000, 1u << 20}), 10, 12));
  auto families = render_families(sink.take(), nullptr);
  ASSERT_EQ(families.size(), 1U);
  EXPECT_EQ(families[0].text,
            "# HELP node_sched_runqueue_latency_seconds Run-queue latency.\n"
            "# TYPE node_sched_runqueue_latency_seconds histogram\n"
            "node_sched_runqueue_latency_seconds_bucket{le=\"1.024e-06\"} 1\n"
            "node_sched_runqueue_latency_seconds_bucket{le=\"2.048e-06\"} 3\n"
            "node_sched_runqueue_latency_seconds_bucket{le=\"4.096e-06\"} 3\n"
            "node_sched_runqueue_latency_seconds_bucket{le=\"+Inf\"} 5\n"
            "node_sched_runqueue_latency_seconds_sum 0.001057476\n"
            "node_sched_runqueue_latency_seconds_count 5\n");
}

}  // namespace
}  // namespace nodeprobe

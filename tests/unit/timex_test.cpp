#include "collectors/timex.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::collect_text;

struct timex zeroed() {
  struct timex tx;
  std::memset(&tx, 0, sizeof tx);
  return tx;
}

TEST(TimexReading, MicrosecondClockSynchronised) {
  // A chrony-disciplined clock as adjtimex(2) reports it without STA_NANO.
  auto tx = zeroed();
  tx.status = STA_PLL;
  tx.offset = -1250;    // µs
  tx.freq = -1234567;   // ppm << 16: -18.838 ppm
  tx.maxerror = 16000;  // µs
  tx.esterror = 250;    // µs
  tx.constant = 6;
  tx.tick = 10000;         // µs: HZ=100
  tx.ppsfreq = 65536 * 3;  // 3 ppm
  tx.jitter = 1500;        // µs
  tx.shift = 4;
  tx.stabil = 65536 / 2;  // 0.5 ppm
  tx.jitcnt = 7;
  tx.calcnt = 11;
  tx.errcnt = 2;
  tx.stbcnt = 1;
  tx.tai = 37;
  auto r = timex_reading(tx, TIME_OK);
  EXPECT_EQ(r.sync_status, 1);
  EXPECT_DOUBLE_EQ(r.offset_seconds, -0.00125);
  EXPECT_DOUBLE_EQ(r.frequency_adjustment_ratio, 1 + -1234567 / (1e6 * 65536));
  EXPECT_DOUBLE_EQ(r.maxerror_seconds, 0.016);
  EXPECT_DOUBLE_EQ(r.estimated_error_seconds, 0.00025);
  EXPECT_EQ(r.status, STA_PLL);
  EXPECT_EQ(r.loop_time_constant, 6);
  EXPECT_DOUBLE_EQ(r.tick_seconds, 0.01);
  EXPECT_DOUBLE_EQ(r.pps_frequency_hertz, 3e-6);
  EXPECT_DOUBLE_EQ(r.pps_jitter_seconds, 0.0015);
  EXPECT_EQ(r.pps_shift_seconds, 4);
  EXPECT_DOUBLE_EQ(r.pps_stability_hertz, 0.5e-6);
  EXPECT_EQ(r.pps_jitter_total, 7);
  EXPECT_EQ(r.pps_calibration_total, 11);
  EXPECT_EQ(r.pps_error_total, 2);
  EXPECT_EQ(r.pps_stability_exceeded_total, 1);
  EXPECT_EQ(r.tai_offset_seconds, 37);
}

TEST(TimexReading, NanosecondResolutionScalesOffsetAndJitter) {
  auto tx = zeroed();
  tx.status = STA_PLL | STA_NANO;
  tx.offset = 1250;     // ns
  tx.jitter = 500;      // ns
  tx.maxerror = 16000;  // still µs
  auto r = timex_reading(tx, TIME_OK);
  EXPECT_DOUBLE_EQ(r.offset_seconds, 1.25e-6);
  EXPECT_DOUBLE_EQ(r.pps_jitter_seconds, 5e-7);
  EXPECT_DOUBLE_EQ(r.maxerror_seconds, 0.016);
  EXPECT_EQ(r.status, STA_PLL | STA_NANO);
}

TEST(TimexReading, OnlyTimeErrorMeansUnsynchronised) {
  auto tx = zeroed();
  tx.status = STA_UNSYNC;
  EXPECT_EQ(timex_reading(tx, TIME_ERROR).sync_status, 0);
  for (int state : {TIME_OK, TIME_INS, TIME_DEL, TIME_OOP, TIME_WAIT}) {
    EXPECT_EQ(timex_reading(tx, state).sync_status, 1) << state;
  }
  // An untouched struct (a fresh kernel) converts to a unit frequency ratio and zeros.
  auto r = timex_reading(zeroed(), TIME_ERROR);
  EXPECT_EQ(r.frequency_adjustment_ratio, 1);
  EXPECT_EQ(r.offset_seconds, 0);
}

TEST(TimexReading, ExtremeValuesStayFinite) {
  auto tx = zeroed();
  tx.offset = std::numeric_limits<decltype(tx.offset)>::max();
  tx.freq = std::numeric_limits<decltype(tx.freq)>::min();
  tx.tai = -1;
  auto r = timex_reading(tx, 42);  // a state this code does not know
  EXPECT_TRUE(std::isfinite(r.offset_seconds));
  EXPECT_TRUE(std::isfinite(r.frequency_adjustment_ratio));
  EXPECT_EQ(r.tai_offset_seconds, -1);
  EXPECT_EQ(r.sync_status, 1);
}

TEST(TimexCollector, LiveCallEmitsEveryFamily) {
  // adjtimex with modes 0 needs no privilege; node_exporter's families and types.
  auto text = collect_text("timex", HostPaths{});
  const char* gauges[] = {"sync_status",
                          "offset_seconds",
                          "frequency_adjustment_ratio",
                          "maxerror_seconds",
                          "estimated_error_seconds",
                          "status",
                          "loop_time_constant",
                          "tick_seconds",
                          "pps_frequency_hertz",
                          "pps_jitter_seconds",
                          "pps_shift_seconds",
                          "pps_stability_hertz",
                          "tai_offset_seconds"};
  const char* counters[] = {"pps_jitter_total", "pps_calibration_total", "pps_error_total",
                            "pps_stability_exceeded_total"};
  for (const char* g : gauges) {
    EXPECT_NE(text.find(std::string("# TYPE node_timex_") + g + " gauge\n"), std::string::npos)
        << g;
  }
  for (const char* c : counters) {
    EXPECT_NE(text.find(std::string("# TYPE node_timex_") + c + " counter\n"), std::string::npos)
        << c;
  }
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3 * 17) << text;
}

}  // namespace
}  // namespace nodeprobe

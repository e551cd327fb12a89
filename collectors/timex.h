#pragma once

#include <sys/timex.h>

namespace nodeprobe {

// What adjtimex(2) reports, in the units node_exporter exposes.
struct TimexReading {
  double sync_status = 0;  // 1 unless the clock state is TIME_ERROR
  double offset_seconds = 0;
  double frequency_adjustment_ratio = 0;
  double maxerror_seconds = 0;
  double estimated_error_seconds = 0;
  double status = 0;
  double loop_time_constant = 0;
  double tick_seconds = 0;
  double pps_frequency_hertz = 0;
  double pps_jitter_seconds = 0;
  double pps_shift_seconds = 0;
  double pps_stability_hertz = 0;
  double pps_jitter_total = 0;
  double pps_calibration_total = 0;
  double pps_error_total = 0;
  double pps_stability_exceeded_total = 0;
  double tai_offset_seconds = 0;
};

// Converts the kernel's struct timex and adjtimex's return value (the clock state) to seconds,
// ratios and hertz.
TimexReading timex_reading(const struct timex& tx, int clock_state);

}  // namespace nodeprobe

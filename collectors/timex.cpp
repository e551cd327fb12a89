// node_timex_* from adjtimex(2): the kernel's NTP discipline state.
#include "collectors/timex.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/collector.h"

namespace nodeprobe {

TimexReading timex_reading(const struct timex& tx, int clock_state) {
  // adjtimex(2) NOTES: offset and PPS jitter are in nanoseconds when STA_NANO is set,
  // microseconds otherwise; maxerror, esterror and tick are always microseconds; freq, ppsfreq
  // and stabil are ppm with a 16-bit fractional part.
  const double offset_unit = (tx.status & STA_NANO) != 0 ? 1e9 : 1e6;
  constexpr double kPpm16 = 1e6 * 65536.0;
  TimexReading r;
  r.sync_status = clock_state == TIME_ERROR ? 0 : 1;
  r.offset_seconds = static_cast<double>(tx.offset) / offset_unit;
  r.frequency_adjustment_ratio = 1 + static_cast<double>(tx.freq) / kPpm16;
  r.maxerror_seconds = static_cast<double>(tx.maxerror) / 1e6;
  r.estimated_error_seconds = static_cast<double>(tx.esterror) / 1e6;
  r.status = static_cast<double>(tx.status);
  r.loop_time_constant = static_cast<double>(tx.constant);
  r.tick_seconds = static_cast<double>(tx.tick) / 1e6;
  r.pps_frequency_hertz = static_cast<double>(tx.ppsfreq) / kPpm16;
  r.pps_jitter_seconds = static_cast<double>(tx.jitter) / offset_unit;
  // node_exporter reports the shift (log2 of the PPS interval) as it is.
  r.pps_shift_seconds = static_cast<double>(tx.shift);
  r.pps_stability_hertz = static_cast<double>(tx.stabil) / kPpm16;
  r.pps_jitter_total = static_cast<double>(tx.jitcnt);
  r.pps_calibration_total = static_cast<double>(tx.calcnt);
  r.pps_error_total = static_cast<double>(tx.errcnt);
  r.pps_stability_exceeded_total = static_cast<double>(tx.stbcnt);
  r.tai_offset_seconds = static_cast<double>(tx.tai);
  return r;
}

namespace {

class TimexCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    struct timex tx;
    std::memset(&tx, 0, sizeof tx);  // modes 0: read only, no privilege needed
    int state = ::adjtimex(&tx);
    if (state < 0) {
      int err = errno;
      // A seccomp profile may refuse the call outright; node_exporter treats that as no data.
      if (err == EPERM || err == EACCES) throw FeatureAbsent("adjtimex: not permitted");
      throw std::runtime_error(std::string("adjtimex: ") + std::strerror(err));
    }
    auto r = timex_reading(tx, state);
    sink.gauge("node_timex_sync_status",
               "Is clock synchronized to a reliable server (1 = yes, 0 = no).", r.sync_status);
    sink.gauge("node_timex_offset_seconds",
               "Time offset in between local system and reference clock.", r.offset_seconds);
    sink.gauge("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.",
               r.frequency_adjustment_ratio);
    sink.gauge("node_timex_maxerror_seconds", "Maximum error in seconds.", r.maxerror_seconds);
    sink.gauge("node_timex_estimated_error_seconds", "Estimated error in seconds.",
               r.estimated_error_seconds);
    sink.gauge("node_timex_status", "Value of the status array bits.", r.status);
    sink.gauge("node_timex_loop_time_constant", "Phase-locked loop time constant.",
               r.loop_time_constant);
    sink.gauge("node_timex_tick_seconds", "Seconds between clock ticks.", r.tick_seconds);
    sink.gauge("node_timex_pps_frequency_hertz", "Pulse per second frequency.",
               r.pps_frequency_hertz);
    sink.gauge("node_timex_pps_jitter_seconds", "Pulse per second jitter.", r.pps_jitter_seconds);
    sink.gauge("node_timex_pps_shift_seconds", "Pulse per second interval duration.",
               r.pps_shift_seconds);
    sink.gauge("node_timex_pps_stability_hertz",
               "Pulse per second stability, average of recent frequency changes.",
               r.pps_stability_hertz);
    sink.counter("node_timex_pps_jitter_total",
                 "Pulse per second count of jitter limit exceeded events.", r.pps_jitter_total);
    sink.counter("node_timex_pps_calibration_total",
                 "Pulse per second count of calibration intervals.", r.pps_calibration_total);
    sink.counter("node_timex_pps_error_total", "Pulse per second count of calibration errors.",
                 r.pps_error_total);
    sink.counter("node_timex_pps_stability_exceeded_total",
                 "Pulse per second count of stability limit exceeded events.",
                 r.pps_stability_exceeded_total);
    sink.gauge("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.",
               r.tai_offset_seconds);
  }
};

}  // namespace

std::unique_ptr<Collector> make_timex_collector() { return std::make_unique<TimexCollector>(); }

}  // namespace nodeprobe

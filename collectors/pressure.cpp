// node_pressure_*_seconds_total from /proc/pressure/{cpu,io,memory,irq} (PSI, Linux 4.20+).
#include "collectors/pressure.h"

#include <memory>
#include <string_view>
#include <vector>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

PressureTotals parse_pressure(std::string_view text) {
  PressureTotals out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.empty() || (fields[0] != "some" && fields[0] != "full")) return;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      if (!fields[i].starts_with("total=")) continue;
      auto v = parse_uint(fields[i].substr(6));
      if (!v) return;
      (fields[0] == "some" ? out.some : out.full) = static_cast<double>(*v) / 1e6;
    }
  });
  return out;
}

namespace {

struct PressureFamily {
  const char* resource;
  bool full;
  const char* name;
  const char* help;
};

// node_exporter's names and HELP. irq (Linux 6.1+, CONFIG_IRQ_TIME_ACCOUNTING) appears where the
// kernel has it; it has only a "full" line. The "full" line of cpu (Linux 5.13+) is left out:
// it means nothing at the system level (recent kernels print zeros there) and node_exporter has
// no family for it.
constexpr PressureFamily kFamilies[] = {
    {"cpu", false, "node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time"},
    {"io", false, "node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion"},
    {"io", true, "node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO congestion"},
    {"memory", false, "node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory"},
    {"memory", true, "node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory congestion"},
    {"irq", true, "node_pressure_irq_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IRQ congestion"},
};

class PressureCollector final : public Collector {
 public:
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    files_.clear();
    for (const char* resource : {"cpu", "io", "memory", "irq"}) {
      files_.push_back({resource, KeptFile(paths_.proc(std::string("pressure/") + resource),
                                           ReadEnd::kShortRead)});
    }
  }

  void collect(MetricSink& sink) override {
    bool any = false;     // a pressure file exists
    bool parsed = false;  // and one of them had a total in it
    std::vector<ResourceFile*> missing;
    for (auto& r : files_) {
      if (r.absent) continue;
      int err = 0;
      if (!r.file.read(err)) {
        // ENOENT: no PSI in this kernel (or no irq pressure); EOPNOTSUPP: PSI compiled in but
        // disabled with psi=0 on the kernel command line.
        if (err == ENOENT) missing.push_back(&r);
        if (err == ENOENT || err == EOPNOTSUPP) continue;
        throw FileError(r.file.path(), err);
      }
      any = true;
      auto totals = parse_pressure(r.file.text());
      for (const auto& f : kFamilies) {
        if (f.resource != r.resource) continue;
        const auto& v = f.full ? totals.full : totals.some;
        if (v) sink.counter(f.name, f.help, *v);
        parsed = parsed || v.has_value();
      }
    }
    if (!any) {
      throw FeatureAbsent(
          "pressure information is unavailable: it needs Linux >= 4.20 with CONFIG_PSI and "
          "without psi=0");
    }
    // A file missing beside others that are there (irq, without CONFIG_IRQ_TIME_ACCOUNTING) is
    // missing for as long as this kernel runs: it is not looked for again.
    for (auto* r : missing) r->absent = true;
    if (!parsed) throw std::runtime_error(paths_.proc("pressure") + ": no totals found");
  }

 private:
  struct ResourceFile {
    std::string_view resource;  // "cpu", "io", ...
    KeptFile file;
    bool absent = false;  // missing while others were there
  };
  std::vector<ResourceFile> files_;
};

}  // namespace

std::unique_ptr<Collector> make_pressure_collector() {
  return std::make_unique<PressureCollector>();
}

}  // namespace nodeprobe

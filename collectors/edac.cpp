// node_edac_* from /sys/devices/system/edac/mc (Documentation/admin-guide/ras.rst): memory
// errors the memory controllers corrected or could not correct.
#include <cerrno>
#include <memory>
#include <stdexcept>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"
#include "agent/sysfs.h"

namespace nodeprobe {
namespace {

// "mc0" -> "0", "csrow12" -> "12"; node_exporter globs mc[0-9]* and keeps the leading digits.
std::optional<std::string> number_after(std::string_view entry, std::string_view prefix) {
  if (!entry.starts_with(prefix)) return std::nullopt;
  auto rest = entry.substr(prefix.size());
  auto digits = rest.find_first_not_of("0123456789");
  if (digits == 0 || rest.empty()) return std::nullopt;
  return std::string(rest.substr(0, digits));
}

double read_count(const std::string& path) {
  int err = 0;
  auto text = read_attribute(path, err);
  if (!text) throw FileError(path, err);
  auto v = parse_uint(*text);
  if (!v) throw std::runtime_error(path + ": not an unsigned integer");
  return static_cast<double>(*v);
}

class EdacCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    auto base = paths_.sys("devices/system/edac/mc");
    int err = 0;
    auto controllers = list_directory(base, err);
    // No EDAC driver loaded (a VM, a desktop without ECC): nothing to report, as in
    // node_exporter, whose glob finds no controller.
    if (!controllers) {
      if (err == ENOENT || err == ENOTDIR) return;
      throw FileError(base, err);
    }
    for (const auto& entry : *controllers) {
      auto controller = number_after(entry, "mc");
      if (controller) collect_controller(sink, base + "/" + entry, *controller);
    }
  }

 private:
  static void collect_controller(MetricSink& sink, const std::string& dir,
                                 const std::string& controller) {
    static constexpr const char* kCsrowCorrectable = "node_edac_csrow_correctable_errors_total";
    static constexpr const char* kCsrowCorrectableHelp =
        "Total correctable memory errors for this csrow.";
    static constexpr const char* kCsrowUncorrectable = "node_edac_csrow_uncorrectable_errors_total";
    static constexpr const char* kCsrowUncorrectableHelp =
        "Total uncorrectable memory errors for this csrow.";

    sink.counter("node_edac_correctable_errors_total", "Total correctable memory errors.",
                 read_count(dir + "/ce_count"), {{"controller", controller}});
    // Errors the controller could not attribute to a csrow count under csrow="unknown".
    sink.counter(kCsrowCorrectable, kCsrowCorrectableHelp, read_count(dir + "/ce_noinfo_count"),
                 {{"controller", controller}, {"csrow", "unknown"}});
    sink.counter("node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.",
                 read_count(dir + "/ue_count"), {{"controller", controller}});
    sink.counter(kCsrowUncorrectable, kCsrowUncorrectableHelp, read_count(dir + "/ue_noinfo_count"),
                 {{"controller", controller}, {"csrow", "unknown"}});

    int err = 0;
    auto entries = list_directory(dir, err);
    if (!entries) throw FileError(dir, err);
    for (const auto& entry : *entries) {
      auto csrow = number_after(entry, "csrow");
      if (!csrow) continue;
      auto row = dir + "/" + entry;
      Labels labels = {{"controller", controller}, {"csrow", *csrow}};
      sink.counter(kCsrowCorrectable, kCsrowCorrectableHelp, read_count(row + "/ce_count"), labels);
      sink.counter(kCsrowUncorrectable, kCsrowUncorrectableHelp, read_count(row + "/ue_count"),
                   labels);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_edac_collector() { return std::make_unique<EdacCollector>(); }

}  // namespace nodeprobe

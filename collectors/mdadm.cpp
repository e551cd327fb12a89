// node_md_*: md RAID arrays from /proc/mdstat, as node_exporter's mdadm collector.
#include <cerrno>
#include <memory>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "collectors/mdstat.h"

namespace nodeprobe {
namespace {

constexpr std::string_view kStateHelp = "Indicates the state of md-device.";

// node_md_state's label value for each of procfs's activity states.
constexpr std::pair<std::string_view, std::string_view> kStates[] = {
    {"active", "active"},    {"inactive", "inactive"}, {"recovering", "recovering"},
    {"resync", "resyncing"}, {"check", "checking"},
};

class MdadmCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::string path = paths_.proc("mdstat");
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err)) {
      // No md driver loaded: node_exporter logs at debug level and reports no data.
      if (err == ENOENT) throw FeatureAbsent(path + ": no md arrays");
      throw FileError(path, err);
    }
    for (const auto& md : parse_mdstat(text)) {
      auto dev = [&] { return Labels{{"device", md.name}}; };
      auto disks = [&](std::string_view state) {
        return Labels{{"device", md.name}, {"state", std::string(state)}};
      };
      sink.gauge("node_md_disks_required", "Total number of disks of device.",
                 static_cast<double>(md.disks_total), dev());
      constexpr std::string_view kDisksHelp = "Number of active/failed/spare disks of device.";
      sink.gauge("node_md_disks", kDisksHelp, static_cast<double>(md.disks_active),
                 disks("active"));
      sink.gauge("node_md_disks", kDisksHelp, static_cast<double>(md.disks_failed),
                 disks("failed"));
      sink.gauge("node_md_disks", kDisksHelp, static_cast<double>(md.disks_spare), disks("spare"));
      for (const auto& [label, state] : kStates) {
        sink.gauge("node_md_state", kStateHelp, md.state == state ? 1 : 0, disks(label));
      }
      sink.gauge("node_md_blocks", "Total number of blocks on device.",
                 static_cast<double>(md.blocks_total), dev());
      sink.gauge("node_md_blocks_synced", "Number of blocks synced on device.",
                 static_cast<double>(md.blocks_synced), dev());
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_mdadm_collector() { return std::make_unique<MdadmCollector>(); }

}  // namespace nodeprobe

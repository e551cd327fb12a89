// node_bonding_*: configured and active slaves of each bonding master, from
// /sys/class/net/bonding_masters and the bonding sysfs (Documentation/networking/bonding.rst).
#include <cerrno>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {
namespace {

// Lists of interface names and one-word states: far below this.
constexpr std::size_t kBondingFileCap = 64 * 1024;

// node_exporter fails the whole collection on any read error, and reports no data (rather than
// a failure) when the error is a missing file: no bonding module, or a master or slave that went
// away between two reads.
std::string read_bonding_file(const std::string& path) {
  std::string text;
  int err = 0;
  if (try_read_file(path, text, err, kBondingFileCap)) return text;
  if (err == ENOENT || err == ENOTDIR) throw FeatureAbsent(path + ": not found");
  throw FileError(path, err);
}

class BondingCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::string net = paths_.sys("class/net");
    struct Master {
      std::string name;
      int slaves = 0, active = 0;
    };
    std::vector<Master> masters;
    // Everything is read before anything is emitted: one failure yields no partial output.
    std::string master_list = read_bonding_file(net + "/bonding_masters");
    for (auto master : split_fields(master_list)) {
      Master m{std::string(master)};
      std::string dir = net + "/" + m.name;
      std::string slave_list = read_bonding_file(dir + "/bonding/slaves");
      for (auto slave : split_fields(slave_list)) {
        std::string status;
        int err = 0;
        // Older kernels name the link slave_<if> rather than lower_<if> (node_exporter tries both).
        std::string lower = dir + "/lower_" + std::string(slave) + "/bonding_slave/mii_status";
        if (!try_read_file(lower, status, err, kBondingFileCap)) {
          if (err != ENOENT) throw FileError(lower, err);
          status =
              read_bonding_file(dir + "/slave_" + std::string(slave) + "/bonding_slave/mii_status");
        }
        ++m.slaves;
        if (trim(status) == "up") ++m.active;
      }
      masters.push_back(std::move(m));
    }
    for (const auto& m : masters) {
      sink.gauge("node_bonding_slaves", "Number of configured slaves per bonding interface.",
                 m.slaves, {{"master", m.name}});
      sink.gauge("node_bonding_active", "Number of active slaves per bonding interface.", m.active,
                 {{"master", m.name}});
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_bonding_collector() { return std::make_unique<BondingCollector>(); }

}  // namespace nodeprobe

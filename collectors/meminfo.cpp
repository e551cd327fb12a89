// node_memory_*: every field of /proc/meminfo, named as node_exporter names them.
#include "collectors/meminfo.h"

#include <memory>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/parse.h"

namespace nodeprobe {

std::vector<MeminfoField> parse_meminfo(std::string_view text) {
  std::vector<MeminfoField> out;
  out.reserve(64);
  for_each_line(text, [&](std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;
    auto rest = line.substr(colon + 1);
    auto number = next_field(rest);
    auto unit = next_field(rest);
    if (number.empty() || !next_field(rest).empty()) return;  // one or two fields
    auto value = parse_uint(number);
    if (!value) return;
    MeminfoField f;
    // "Active(anon)" -> "Active_anon", as node_exporter's regexp replacement does.
    for (char c : line.substr(0, colon)) {
      if (c == '(') {
        f.name.push_back('_');
      } else if (is_name_char(c)) {
        f.name.push_back(c);
      } else if (c != ')') {
        return;  // not a name the kernel prints, and not one a metric can have
      }
    }
    f.value = static_cast<double>(*value);
    if (!unit.empty()) {
      if (unit != "kB") return;
      f.value *= 1024;
      f.name += "_bytes";
    }
    out.push_back(std::move(f));
  });
  return out;
}

namespace {

class MeminfoCollector final : public Collector {
 public:
  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    meminfo_ = KeptFile(paths_.proc("meminfo"), ReadEnd::kShortRead);
  }

  void collect(MetricSink& sink) override {
    auto fields = parse_meminfo(meminfo_.read());
    if (fields.empty()) throw std::runtime_error(meminfo_.path() + ": no fields found");
    for (const auto& f : fields) {
      // Built in buffers kept across scrapes: no allocation once they have grown.
      name_.assign("node_memory_").append(f.name);
      help_.assign("Memory information field ").append(f.name).push_back('.');
      sink.gauge(name_, help_, f.value);
    }
  }

 private:
  KeptFile meminfo_{""};
  std::string name_, help_;
};

}  // namespace

std::unique_ptr<Collector> make_meminfo_collector() { return std::make_unique<MeminfoCollector>(); }

}  // namespace nodeprobe

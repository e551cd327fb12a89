// node_memory_*: every field of /proc/meminfo, named as node_exporter names them.
#include "collectors/meminfo.h"

#include <cctype>
#include <memory>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::vector<MeminfoField> parse_meminfo(std::string_view text) {
  std::vector<MeminfoField> out;
  for_each_line(text, [&](std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;
    auto fields = split_fields(line.substr(colon + 1));
    if (fields.empty() || fields.size() > 2) return;
    auto value = parse_uint(fields[0]);
    if (!value) return;
    MeminfoField f;
    // "Active(anon)" -> "Active_anon", as node_exporter's regexp replacement does.
    for (char c : line.substr(0, colon)) {
      if (c == '(') {
        f.name.push_back('_');
      } else if (c == '_' || std::isalnum(static_cast<unsigned char>(c))) {
        f.name.push_back(c);
      } else if (c != ')') {
        return;  // not a name the kernel prints, and not one a metric can have
      }
    }
    f.value = static_cast<double>(*value);
    if (fields.size() == 2) {
      if (fields[1] != "kB") return;
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
  void collect(MetricSink& sink) override {
    auto path = paths_.proc("meminfo");
    auto fields = parse_meminfo(read_file(path));
    if (fields.empty()) throw std::runtime_error(path + ": no fields found");
    for (const auto& f : fields) {
      std::string name = "node_memory_" + f.name;
      sink.gauge(name, "Memory information field " + f.name + ".", f.value);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_meminfo_collector() { return std::make_unique<MeminfoCollector>(); }

}  // namespace nodeprobe

// node_vmstat_<field> for the /proc/vmstat fields that --collector.vmstat.fields matches.
#include "collectors/vmstat.h"

#include <cctype>
#include <memory>

#include "agent/collector.h"
#include "agent/name_filter.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::vector<std::pair<std::string_view, double>> parse_vmstat(std::string_view text) {
  std::vector<std::pair<std::string_view, double>> out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() != 2) return;
    for (char c : fields[0]) {
      if (c != '_' && !std::isalnum(static_cast<unsigned char>(c))) return;
    }
    if (auto v = parse_uint(fields[1])) out.emplace_back(fields[0], static_cast<double>(*v));
  });
  return out;
}

namespace {

class VmstatCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    flag_ = b.flag_name("fields");
    b.option("fields", fields_, "Regexp of fields to return for vmstat collector.");
  }

  void configure(const HostPaths& paths) override {
    Collector::configure(paths);
    filter_.compile(fields_, flag_);
  }

  void collect(MetricSink& sink) override {
    auto path = paths_.proc("vmstat");
    auto text = read_file(path);
    auto fields = parse_vmstat(text);
    if (fields.empty()) throw std::runtime_error(path + ": no fields found");
    for (const auto& [name, value] : fields) {
      if (!filter_.matches(name)) continue;
      std::string field(name);
      sink.untyped("node_vmstat_" + field, "/proc/vmstat information field " + field + ".", value);
    }
  }

 private:
  std::string fields_ = "^(oom_kill|pgpg|pswp|pg.*fault).*";
  std::string flag_;
  NameFilter filter_;
};

}  // namespace

std::unique_ptr<Collector> make_vmstat_collector() { return std::make_unique<VmstatCollector>(); }

}  // namespace nodeprobe

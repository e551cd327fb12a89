// node_vmstat_<field> for the /proc/vmstat fields that --collector.vmstat.fields matches.
#include "collectors/vmstat.h"

#include <memory>

#include "agent/collector.h"
#include "agent/kept_file.h"
#include "agent/name_filter.h"
#include "agent/parse.h"

namespace nodeprobe {

std::vector<std::pair<std::string_view, double>> parse_vmstat(std::string_view text) {
  std::vector<std::pair<std::string_view, double>> out;
  out.reserve(256);
  for_each_line(text, [&](std::string_view line) {
    auto name = next_field(line);
    auto value = next_field(line);
    if (value.empty() || !next_field(line).empty()) return;  // exactly two fields
    for (char c : name) {
      if (!is_name_char(c)) return;
    }
    if (auto v = parse_uint(value)) out.emplace_back(name, static_cast<double>(*v));
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
    vmstat_ = KeptFile(paths_.proc("vmstat"));
  }

  void collect(MetricSink& sink) override {
    // Many records: a short read does not mean the end (ReadEnd::kZero).
    auto fields = parse_vmstat(vmstat_.read());
    if (fields.empty()) throw std::runtime_error(vmstat_.path() + ": no fields found");
    for (const auto& [field, value] : fields) {
      if (!filter_.matches(field)) continue;
      // Built in buffers kept across scrapes: no allocation once they have grown.
      name_.assign("node_vmstat_").append(field);
      help_.assign("/proc/vmstat information field ").append(field).push_back('.');
      sink.untyped(name_, help_, value);
    }
  }

 private:
  KeptFile vmstat_{""};
  std::string fields_ = "^(oom_kill|pgpg|pswp|pg.*fault).*";
  std::string flag_;
  NameFilter filter_;
  std::string name_, help_;
};

}  // namespace

std::unique_ptr<Collector> make_vmstat_collector() { return std::make_unique<VmstatCollector>(); }

}  // namespace nodeprobe

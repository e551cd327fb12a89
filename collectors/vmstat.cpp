// node_vmstat_<field> for the /proc/vmstat fields that --collector.vmstat.fields matches.
#include "collectors/vmstat.h"

#include <re2/re2.h>

#include <cctype>
#include <map>
#include <memory>

#include "agent/collector.h"
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
    filter_ = std::make_unique<RE2>(fields_, RE2::Quiet);
    if (!filter_->ok()) throw ConfigError(flag_, "invalid regex: " + filter_->error());
  }

  void collect(MetricSink& sink) override {
    auto path = paths_.proc("vmstat");
    auto text = read_file(path);
    auto fields = parse_vmstat(text);
    if (fields.empty()) throw std::runtime_error(path + ": no fields found");
    for (const auto& [name, value] : fields) {
      if (!selected(name)) continue;
      std::string field(name);
      sink.untyped("node_vmstat_" + field, "/proc/vmstat information field " + field + ".", value);
    }
  }

 private:
  // The kernel's field names do not change while it runs, so each is matched once: the regex
  // was most of this collector's cost (about 170 fields, a handful selected).
  bool selected(std::string_view name) {
    auto it = matches_.find(name);
    if (it != matches_.end()) return it->second;
    // Go's MatchString finds the pattern anywhere, as RE2's PartialMatch does.
    bool match = RE2::PartialMatch(name, *filter_);
    if (matches_.size() < kMaxCachedNames) matches_.emplace(std::string(name), match);
    return match;
  }

  static constexpr std::size_t kMaxCachedNames = 4096;
  std::map<std::string, bool, std::less<>> matches_;
  std::string fields_ = "^(oom_kill|pgpg|pswp|pg.*fault).*";
  std::string flag_;
  std::unique_ptr<RE2> filter_;
};

}  // namespace

std::unique_ptr<Collector> make_vmstat_collector() { return std::make_unique<VmstatCollector>(); }

}  // namespace nodeprobe

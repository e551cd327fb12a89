// The families of the *.prom files in --collector.textfile.directory, with node_textfile_*,
// as node_exporter's textfile collector serves them.
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/collector.h"
#include "agent/exposition.h"
#include "agent/logging.h"
#include "agent/read_file.h"
#include "agent/text_format.h"

namespace nodeprobe {
namespace {

// node_exporter reads a textfile whole, however large. We stop at 16 MiB (some 300,000
// samples, far beyond what cron jobs and exporters-by-file write) so that a runaway writer
// costs one failed file rather than the agent's memory; a larger file is an error.
constexpr std::size_t kMaxTextfileBytes = std::size_t{16} << 20;

// Families nodeprobe writes itself; a file that brings one is wrong, not merely shadowed.
constexpr std::string_view kReservedPrefixes[] = {"node_textfile_", "node_scrape_collector_"};

// Label padding (pad_labels) costs metrics x label names; past this a family is served
// unpadded, which Prometheus reads the same way.
constexpr std::size_t kMaxPaddedLabelSlots = std::size_t{1} << 22;

constexpr std::string_view kMtimeHelp = "Unixtime mtime of textfiles successfully read.";
constexpr std::string_view kErrorHelp =
    "1 if there was an error opening or reading a file, 0 otherwise";

// filepath.Join as node_exporter builds the file label, for the directories people write.
std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out != "/") out.push_back('/');
  out += name;
  return out;
}

// node_exporter 1.5 treats the flag as a glob and falls back to the literal path when nothing
// matches (so a missing directory is reported as unreadable).
std::vector<std::string> expand_directories(const std::string& pattern) {
  // Without a glob metacharacter the answer is the path itself, whether it exists or not; glob()
  // would lstat it on every scrape to say so.
  if (pattern.find_first_of("*?[\\") == std::string::npos) return {pattern};
  std::vector<std::string> out;
  glob_t matches{};
  if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) out.emplace_back(matches.gl_pathv[i]);
  }
  ::globfree(&matches);
  if (out.empty()) out.push_back(pattern);
  return out;
}

// The *.prom names in dir, sorted like os.ReadDir. Dot files are left out: they are the
// temporary files of writers that rename into place.
bool list_prom_files(const std::string& dir, std::vector<std::string>& names, std::string& error) {
  int err = 0;
  bool listed = for_each_entry(
      dir,
      [&](const DirEntry& e) {
        if (!e.name.starts_with('.') && e.name.ends_with(".prom")) names.emplace_back(e.name);
      },
      err);
  if (!listed) {
    error = std::strerror(err);
    return false;
  }
  std::sort(names.begin(), names.end());
  return true;
}

// node_exporter re-exports each family of a file with the union of its label names, filling
// the missing ones with "", and its output shows them (foo{a="",b="x"}); so does ours.
void pad_labels(prometheus::MetricFamily& family) {
  std::vector<std::string_view> all;
  for (const auto& m : family.metric) {
    for (const auto& l : m.label) all.push_back(l.name);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all.empty() || all.size() * family.metric.size() > kMaxPaddedLabelSlots) return;
  std::vector<std::string> names(all.begin(), all.end());  // `all` points into the metrics
  std::vector<std::string_view> present;
  for (auto& m : family.metric) {
    // The parser rejects a label given twice, so a full count means nothing is missing.
    if (m.label.size() == names.size()) continue;
    present.clear();
    for (const auto& l : m.label) present.push_back(l.name);
    std::sort(present.begin(), present.end());
    std::vector<prometheus::ClientMetric::Label> missing;
    for (const auto& name : names) {
      if (!std::binary_search(present.begin(), present.end(), name)) missing.push_back({name, ""});
    }
    for (auto& l : missing) m.label.push_back(std::move(l));
  }
}

// A family as served: merged over the files that carry it.
struct MergedFamily {
  prometheus::MetricFamily family;
  std::vector<std::string> files;
};

class TextfileCollector final : public Collector {
 public:
  void add_options(OptionBinder& b) override {
    b.option("directory", directory_,
             "Directory to read text files with metrics from (a glob pattern selects several).");
  }

  void collect(MetricSink& sink) override {
    Run run;
    // An empty flag means no directory, and no error (node_exporter's default).
    if (!directory_.empty()) {
      for (const auto& dir : expand_directories(directory_)) read_directory(dir, run);
    }
    for (auto& merged : run.families) {
      // node_exporter's HELP for a family whose files give none.
      if (merged.family.help.empty()) {
        merged.family.help = "Metric read from ";
        for (std::size_t i = 0; i < merged.files.size(); ++i) {
          if (i > 0) merged.family.help += ", ";
          merged.family.help += merged.files[i];
        }
      }
      sink.add_family(std::move(merged.family));
    }
    for (const auto& [path, mtime] : run.mtimes) {
      sink.gauge("node_textfile_mtime_seconds", kMtimeHelp, mtime, {{"file", path}});
    }
    sink.gauge("node_textfile_scrape_error", kErrorHelp, run.errored ? 1 : 0);
    failing_ = std::move(run.failing);
  }

 private:
  // What one collect() gathers.
  struct Run {
    std::vector<MergedFamily> families;
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::pair<std::string, double>> mtimes;
    bool errored = false;
    std::unordered_map<std::string, bool> failing;  // this run's state of each path
  };

  void read_directory(const std::string& dir, Run& run) {
    std::vector<std::string> names;
    std::string error;
    bool listed = list_prom_files(dir, names, error);
    report(run, dir, "path", "failed to read textfile collector directory", error);
    if (!listed) return;
    for (const auto& name : names) {
      std::string path = join_path(dir, name);
      report(run, path, "file", "failed to collect textfile data", read_file_into(path, run));
    }
  }

  // Reads, parses and merges one file; returns what went wrong, or "".
  std::string read_file_into(const std::string& path, Run& run) {
    std::string text;
    int err = 0;
    if (!try_read_file(path, text, err, kMaxTextfileBytes)) {
      if (err == EFBIG) return "larger than " + std::to_string(kMaxTextfileBytes) + " bytes";
      return std::strerror(err);
    }
    auto parsed = parse_text_format(text);
    if (!parsed.ok()) return "text format parsing error in " + parsed.error;
    if (parsed.has_timestamps) {
      return "contains unsupported client-side timestamps, skipping entire file";
    }
    // Stat only once the file has parsed, so that a failing file does not look fresh
    // (node_exporter's order).
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::string("stat: ") + std::strerror(errno);

    std::string error;
    std::size_t more_problems = 0;
    auto note = [&](std::string problem) {
      if (error.empty()) {
        error = std::move(problem);
      } else {
        ++more_problems;
      }
    };
    for (auto& family : parsed.families) {
      if (std::any_of(std::begin(kReservedPrefixes), std::end(kReservedPrefixes),
                      [&](std::string_view p) { return family.name.starts_with(p); })) {
        note("family " + family.name + " is reserved for nodeprobe's own metrics");
        continue;
      }
      pad_labels(family);
      auto [it, inserted] = run.index.try_emplace(family.name, run.families.size());
      if (inserted) {
        run.families.push_back({std::move(family), {path}});
        continue;
      }
      auto& merged = run.families[it->second];
      // Same family in two files: merged when they agree, as node_exporter's registry merges
      // them; on disagreement the first file wins and the later family is dropped.
      if (merged.family.type != family.type) {
        note("family " + family.name + " is a " + std::string(type_name(family.type)) +
             " here but a " + std::string(type_name(merged.family.type)) + " in " +
             merged.files.front());
        continue;
      }
      if (!family.help.empty() && !merged.family.help.empty() &&
          family.help != merged.family.help) {
        note("family " + family.name + " has a different HELP in " + merged.files.front());
        continue;
      }
      if (merged.family.help.empty()) merged.family.help = std::move(family.help);
      merged.files.push_back(path);
      for (auto& m : family.metric) merged.family.metric.push_back(std::move(m));
    }
    run.mtimes.emplace_back(path, static_cast<double>(st.st_mtim.tv_sec));
    if (more_problems > 0) error += " (and " + std::to_string(more_problems) + " more)";
    return error;
  }

  // Logs a path's problem when it starts (and its end), not on every scrape.
  void report(Run& run, const std::string& path, std::string_view field, std::string_view what,
              const std::string& error) {
    bool failing = !error.empty();
    if (failing) run.errored = true;
    auto before = failing_.find(path);
    bool was_failing = before != failing_.end() && before->second;
    if (failing && !was_failing) {
      log::warn(what, {{field, path}, {"err", error}});
    } else if (!failing && was_failing) {
      log::info("textfile collector reads this path again", {{field, path}});
    }
    run.failing[path] = failing;
  }

  std::string directory_;
  // Whether each path failed on the last run, for logging changes only. collect() never runs
  // concurrently with itself, so no lock.
  std::unordered_map<std::string, bool> failing_;
};

}  // namespace

std::unique_ptr<Collector> make_textfile_collector() {
  return std::make_unique<TextfileCollector>();
}

}  // namespace nodeprobe

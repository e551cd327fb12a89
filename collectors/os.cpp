// node_os_info and node_os_version from os-release(5) under --path.rootfs.
#include "collectors/os.h"

#include <sys/stat.h>

#include <memory>
#include <mutex>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for_each_line(text, [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') return;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return;
    std::string key(trim(line.substr(0, eq)));
    std::string_view raw = trim(line.substr(eq + 1));
    std::string value;
    char quote = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote != '\'' && i + 1 < raw.size()) {
        value.push_back(raw[++i]);
      } else {
        value.push_back(c);
      }
    }
    if (quote != 0) return;  // unterminated quote: skip the line
    out[key] = value;
  });
  return out;
}

std::optional<double> os_version_number(std::string_view version_id) {
  auto parts = split(version_id, '.');
  std::string_view major = parts[0];
  if (!parse_uint(major)) return std::nullopt;
  std::string number(major);
  if (parts.size() > 1 && parse_uint(parts[1])) number += "." + std::string(parts[1]);
  return parse_double(number);
}

namespace {

// The os-release file rarely changes; it is parsed again only when its mtime or size does.
class OsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    std::string text;
    std::string path;
    int err = 0;
    for (const char* candidate : {"etc/os-release", "usr/lib/os-release"}) {
      path = paths_.root(candidate);
      if (try_read_file(path, text, err)) break;
      if (err != ENOENT) throw FileError(path, err);
    }
    if (err == ENOENT) throw FeatureAbsent("no os-release file under " + paths_.rootfs);
    auto release = parse_os_release(text);
    auto get = [&](const char* key) {
      auto it = release.find(key);
      return it == release.end() ? std::string() : it->second;
    };
    sink.gauge("node_os_info",
               "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
               "image_version, name, pretty_name, variant, variant_id, version, "
               "version_codename, version_id.",
               1,
               {{"build_id", get("BUILD_ID")},
                {"id", get("ID")},
                {"id_like", get("ID_LIKE")},
                {"image_id", get("IMAGE_ID")},
                {"image_version", get("IMAGE_VERSION")},
                {"name", get("NAME")},
                {"pretty_name", get("PRETTY_NAME")},
                {"variant", get("VARIANT")},
                {"variant_id", get("VARIANT_ID")},
                {"version", get("VERSION")},
                {"version_codename", get("VERSION_CODENAME")},
                {"version_id", get("VERSION_ID")}});
    if (auto v = os_version_number(get("VERSION_ID"))) {
      sink.gauge("node_os_version", "Metric containing the major.minor part of the OS version.",
                 *v, {{"id", get("ID")}, {"id_like", get("ID_LIKE")}, {"name", get("NAME")}});
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_os_collector() { return std::make_unique<OsCollector>(); }

}  // namespace nodeprobe

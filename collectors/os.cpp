// node_os_info and node_os_version from os-release(5) under --path.rootfs.
#include "collectors/os.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

namespace {

bool valid_key(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
  for (char c : key) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

// One shell word as os-release(5) allows it: quoted with "..." (where a backslash escapes
// $ ` " \ and is kept before anything else) or '...', or bare (where a backslash escapes any
// character), and ended by a comment that starts at a bare "#" after whitespace. nullopt for an
// unterminated quote or a trailing lone backslash.
std::optional<std::string> unquote(std::string_view raw) {
  std::string value;
  std::size_t significant = 0;  // length without the bare whitespace before a comment
  char quote = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (quote == '\'') {
      if (c == quote) {
        quote = 0;
      } else {
        value.push_back(c);
      }
      significant = value.size();
    } else if (quote == '"') {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && i + 1 < raw.size() &&
                 std::string_view("$`\"\\").find(raw[i + 1]) != std::string_view::npos) {
        value.push_back(raw[++i]);
      } else {
        value.push_back(c);
      }
      significant = value.size();
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\') {
      if (++i == raw.size()) return std::nullopt;
      value.push_back(raw[i]);
      significant = value.size();
    } else if (c == '#' && (i == 0 || raw[i - 1] == ' ' || raw[i - 1] == '\t')) {
      break;
    } else {
      value.push_back(c);
      if (c != ' ' && c != '\t') significant = value.size();
    }
  }
  if (quote != 0) return std::nullopt;
  value.resize(significant);
  return value;
}

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for_each_line(text, [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') return;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return;
    auto key = trim(line.substr(0, eq));
    if (!valid_key(key)) return;
    if (auto value = unquote(trim(line.substr(eq + 1)))) out[std::string(key)] = *value;
  });
  return out;
}

std::optional<double> os_version_number(std::string_view version_id) {
  // node_exporter's ^[0-9]+\.?[0-9]* on VERSION_ID: "22.04.3" -> 22.04, "12" -> 12, "9.2b" -> 9.2.
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t end = 0;
  while (end < version_id.size() && is_digit(version_id[end])) ++end;
  if (end == 0) return std::nullopt;
  if (end < version_id.size() && version_id[end] == '.') {
    ++end;
    while (end < version_id.size() && is_digit(version_id[end])) ++end;
  }
  std::string number(version_id.substr(0, end));
  if (number.back() == '.') number.pop_back();
  return parse_double(number);
}

std::optional<double> os_support_end_seconds(std::string_view date) {
  auto parts = split(date, '-');
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 || parts[2].size() != 2) {
    return std::nullopt;
  }
  auto year = parse_uint(parts[0]), month = parse_uint(parts[1]), day = parse_uint(parts[2]);
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1 || *day > 31) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_mon = static_cast<int>(*month) - 1;
  tm.tm_mday = static_cast<int>(*day);
  std::time_t t = ::timegm(&tm);
  if (tm.tm_mday != static_cast<int>(*day)) return std::nullopt;  // 2024-02-30 rolled over
  return static_cast<double>(t);
}

namespace {

class OsCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    const auto& release = os_release();
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
    // node_exporter leaves the family out for a version of 0 as for none.
    if (auto v = os_version_number(get("VERSION_ID")); v && *v > 0) {
      sink.gauge("node_os_version", "Metric containing the major.minor part of the OS version.", *v,
                 {{"id", get("ID")}, {"id_like", get("ID_LIKE")}, {"name", get("NAME")}});
    }
    if (auto end = os_support_end_seconds(get("SUPPORT_END"))) {
      sink.gauge("node_os_support_end_timestamp_seconds",
                 "Metric containing the end-of-life date timestamp of the OS.", *end);
    }
  }

 private:
  // The file as it was when last read: the same file, unchanged, is not read again (one stat
  // instead of an open, two reads, a close and the parse), as node_exporter keeps it too. An
  // upgrade that replaces or rewrites it changes the inode or the times.
  struct Seen {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    std::int64_t modified_ns = 0;
    std::int64_t changed_ns = 0;
    bool operator==(const Seen&) const = default;
  };
  static std::int64_t nanoseconds(const timespec& t) {
    return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
  }

  const std::map<std::string, std::string>& os_release() {
    int err = ENOENT;
    for (const char* candidate : {"etc/os-release", "usr/lib/os-release"}) {
      std::string path = paths_.root(candidate);
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) {
        err = errno;
        if (err != ENOENT) throw FileError(path, err);
        continue;
      }
      Seen seen{st.st_dev, st.st_ino, st.st_size, nanoseconds(st.st_mtim), nanoseconds(st.st_ctim)};
      if (path == cached_path_ && seen == cached_) return release_;
      std::string text;
      if (!try_read_file(path, text, err)) {
        if (err != ENOENT) throw FileError(path, err);
        continue;
      }
      release_ = parse_os_release(text);
      cached_path_ = path;
      cached_ = seen;
      return release_;
    }
    cached_path_.clear();
    throw FeatureAbsent("no os-release file under " + paths_.rootfs);
  }

  std::string cached_path_;
  Seen cached_;
  std::map<std::string, std::string> release_;
};

}  // namespace

std::unique_ptr<Collector> make_os_collector() { return std::make_unique<OsCollector>(); }

}  // namespace nodeprobe

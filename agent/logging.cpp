#include "agent/logging.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace nodeprobe::log {
namespace {

std::atomic<Format> g_format{Format::kLogfmt};

bool logfmt_needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

void append_quoted(std::string& out, std::string_view v) {
  out.push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void append_logfmt_value(std::string& out, std::string_view v) {
  if (logfmt_needs_quotes(v)) {
    append_quoted(out, v);
  } else {
    out += v;
  }
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    default:
      return "error";
  }
}

// ts=2024-01-02T03:04:05.678Z level=info <payload>, or {"ts":"...","level":"info"<payload>.
class StructuredFormatter final : public spdlog::formatter {
 public:
  explicit StructuredFormatter(Format format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto since_epoch = msg.time.time_since_epoch();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs);
    std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[40];
    std::size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    n += static_cast<std::size_t>(
        std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(millis.count())));
    std::string line;
    auto level = level_name(msg.level);
    if (format_ == Format::kJson) {
      line = "{\"ts\":\"";
      line.append(ts, n);
      line += "\",\"level\":\"";
      line += level;
      line += '"';
    } else {
      line = "ts=";
      line.append(ts, n);
      line += " level=";
      line += level;
      line += ' ';
    }
    line.append(msg.payload.data(), msg.payload.size());
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<StructuredFormatter>(format_);
  }

 private:
  Format format_;
};

void emit(spdlog::level::level_enum level, std::string_view msg,
          std::initializer_list<Field> fields) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  auto payload = render_fields(g_format.load(std::memory_order_relaxed), msg, fields);
  logger->log(level, spdlog::string_view_t(payload.data(), payload.size()));
}

}  // namespace

std::string render_fields(Format format, std::string_view msg,
                          std::initializer_list<Field> fields) {
  std::string out;
  if (format == Format::kJson) {
    out += ",\"msg\":";
    append_quoted(out, msg);
    for (const auto& [k, v] : fields) {
      out.push_back(',');
      append_quoted(out, k);
      out.push_back(':');
      append_quoted(out, v);
    }
    out.push_back('}');
  } else {
    out += "msg=";
    append_quoted(out, msg);
    for (const auto& [k, v] : fields) {
      out.push_back(' ');
      out += k;
      out.push_back('=');
      append_logfmt_value(out, v);
    }
  }
  return out;
}

bool init(std::string_view level, Format format) {
  spdlog::level::level_enum lvl;
  if (level == "debug") {
    lvl = spdlog::level::debug;
  } else if (level == "info") {
    lvl = spdlog::level::info;
  } else if (level == "warn") {
    lvl = spdlog::level::warn;
  } else if (level == "error") {
    lvl = spdlog::level::err;
  } else {
    return false;
  }
  g_format = format;
  spdlog::drop("nodeprobe");
  auto logger = spdlog::stderr_logger_mt("nodeprobe");
  logger->set_formatter(std::make_unique<StructuredFormatter>(format));
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return true;
}

void debug(std::string_view msg, std::initializer_list<Field> fields) {
  emit(spdlog::level::debug, msg, fields);
}
void info(std::string_view msg, std::initializer_list<Field> fields) {
  emit(spdlog::level::info, msg, fields);
}
void warn(std::string_view msg, std::initializer_list<Field> fields) {
  emit(spdlog::level::warn, msg, fields);
}
void error(std::string_view msg, std::initializer_list<Field> fields) {
  emit(spdlog::level::err, msg, fields);
}

}  // namespace nodeprobe::log

#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace nodeprobe::log {

enum class Format { kLogfmt, kJson };

// Sets up the process-wide logger on stderr. `level` is debug, info, warn or error; returns
// false for an unknown level.
bool init(std::string_view level, Format format);

using Field = std::pair<std::string_view, std::string_view>;

// One structured line: ts=... level=info msg="..." key=value ... (or the same as JSON).
void debug(std::string_view msg, std::initializer_list<Field> fields = {});
void info(std::string_view msg, std::initializer_list<Field> fields = {});
void warn(std::string_view msg, std::initializer_list<Field> fields = {});
void error(std::string_view msg, std::initializer_list<Field> fields = {});

// Renders the part after the level, for tests: msg="..." k=v (logfmt) or ,"msg":"...","k":"v"}.
std::string render_fields(Format format, std::string_view msg, std::initializer_list<Field> fields);

}  // namespace nodeprobe::log

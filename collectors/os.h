#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nodeprobe {

// os-release(5): KEY=value lines, values optionally quoted with shell quoting rules. Unknown
// keys are kept; malformed lines are skipped.
std::map<std::string, std::string> parse_os_release(std::string_view text);

// The major.minor part of VERSION_ID as a number: "22.04.3" -> 22.04, "12" -> 12.
std::optional<double> os_version_number(std::string_view version_id);

// SUPPORT_END ("2027-06-30", os-release(5) since systemd 252) as Unix seconds at 00:00 UTC;
// nullopt unless it is a valid YYYY-MM-DD date.
std::optional<double> os_support_end_seconds(std::string_view date);

}  // namespace nodeprobe

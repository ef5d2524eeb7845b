// Durations written as strings with units: "100ms", "1s", "2m" (also "1.5s").
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "agent/time.hpp"

namespace floatd::conf {

// nullopt for a missing unit, an unknown unit, a negative or malformed number.
std::optional<Duration> parse_duration(std::string_view text);
// Shortest exact form: 1500ms -> "1500ms", 2000ms -> "2s", 120s -> "2m".
std::string format_duration(Duration d);

}  // namespace floatd::conf

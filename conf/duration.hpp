// Durations written as strings with units: "100ms", "1s", "2m" (also "1.5s").
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "agent/time.hpp"

namespace floatd::conf {

// Grammar: DIGITS [ "." DIGITS ] UNIT, UNIT one of us, ms, s, m, h; no sign, no spaces.
// nullopt for a missing unit ("100"), an unknown unit ("5d"), a negative or malformed number
// ("-1s", "1 s", ".5s", ""), a value that is not a whole number of microseconds ("0.0001ms") or
// that overflows Duration.
std::optional<Duration> parse_duration(std::string_view text);
// Shortest exact form: 1500ms -> "1500ms", 2000ms -> "2s", 120s -> "2m", 3600s -> "1h",
// 0 -> "0s". parse_duration(format_duration(d)) == d for every d >= 0.
std::string format_duration(Duration d);

}  // namespace floatd::conf

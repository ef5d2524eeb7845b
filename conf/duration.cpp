#include "conf/duration.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace floatd::conf {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t micros;
};

// Largest first, so format_duration picks the shortest exact form.
constexpr std::array<Unit, 5> kUnits{{
    {"h", 3'600'000'000},
    {"m", 60'000'000},
    {"s", 1'000'000},
    {"ms", 1'000},
    {"us", 1},
}};

// More fractional digits than this cannot be exact for any unit above, and the bound keeps
// fraction * unit inside int64.
constexpr std::size_t kMaxFractionDigits = 9;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::int64_t> unit_micros(std::string_view suffix) {
  for (const Unit& u : kUnits) {
    if (u.suffix == suffix) return u.micros;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_digits(std::string_view digits) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// The fractional part ".5" of "1.5s" in microseconds, if it is a whole number of them.
std::optional<std::int64_t> fraction_micros(std::string_view digits, std::int64_t unit) {
  while (!digits.empty() && digits.back() == '0') digits.remove_suffix(1);
  if (digits.empty()) return 0;
  if (digits.size() > kMaxFractionDigits) return std::nullopt;
  const auto numerator = parse_digits(digits);
  if (!numerator) return std::nullopt;
  std::int64_t denominator = 1;
  for (std::size_t i = 0; i < digits.size(); ++i) denominator *= 10;
  const std::int64_t scaled = *numerator * unit;  // < 1e9 * 3.6e9 < int64 max
  if (scaled % denominator != 0) return std::nullopt;
  return scaled / denominator;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  const std::string_view whole = text.substr(0, i);
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    fraction = text.substr(start, i - start);
    if (fraction.empty()) return std::nullopt;  // "1.s"
  }
  if (whole.empty()) return std::nullopt;  // "", "s", ".5s", "-1s", " 1s"
  const auto unit = unit_micros(text.substr(i));
  if (!unit) return std::nullopt;  // "100", "5d", "1 s"

  const auto whole_value = parse_digits(whole);
  const auto fraction_value = fraction_micros(fraction, *unit);
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (!whole_value || !fraction_value || *whole_value > (kMax - *fraction_value) / *unit) {
    return std::nullopt;
  }
  return Duration(*whole_value * *unit + *fraction_value);
}

std::string format_duration(Duration d) {
  if (d < Duration::zero()) return "-" + format_duration(-d);
  const std::int64_t micros = d.count();
  if (micros == 0) return "0s";
  // "us" divides everything, so the search always finds a unit.
  const Unit& unit =
      *std::ranges::find_if(kUnits, [micros](const Unit& u) { return micros % u.micros == 0; });
  return std::to_string(micros / unit.micros) + std::string(unit.suffix);
}

}  // namespace floatd::conf

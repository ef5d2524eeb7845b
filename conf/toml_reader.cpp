#include "conf/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "conf/duration.hpp"

namespace floatd::conf {
namespace {

constexpr std::size_t kMaxSuggestionDistance = 2;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);  // distances from a[0..i) to every prefix of b
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view type_name(toml::value_t type) {
  switch (type) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a float";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    case toml::value_t::offset_datetime:
    case toml::value_t::local_datetime:
    case toml::value_t::local_date:
    case toml::value_t::local_time:
      return "a date/time";
    case toml::value_t::empty:
      break;
  }
  return "empty";
}

// The integer exactly as written, so "priority 99999999999999999999 out of range" shows the
// user's number rather than the INT64_MAX toml11 silently clamped it to.
std::string integer_text(const toml::value& value) {
  const toml::source_location loc = value.location();
  if (loc.column() > loc.line_str().size()) return std::to_string(value.as_integer());
  return loc.line_str().substr(loc.column() - 1, loc.region());
}

}  // namespace

void Diagnostics::add(int line, int column, std::string message) {
  items_.push_back(Diagnostic{file_, line, column, std::move(message)});
}

void Diagnostics::add(const toml::value& at, std::string message) {
  const toml::source_location loc = at.location();
  add(static_cast<int>(loc.line()), static_cast<int>(loc.column()), std::move(message));
}

std::vector<Diagnostic> Diagnostics::take_sorted() && {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return std::move(items_);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best ? fmt::format(" (did you mean '{}'?)", *best) : std::string{};
}

TableReader::TableReader(const toml::value& table, std::string context, Diagnostics& diagnostics)
    : table_(table), context_(std::move(context)), diagnostics_(diagnostics) {}

bool TableReader::contains(std::string_view key) const {
  return table_.as_table().count(std::string(key)) != 0;
}

const toml::value* TableReader::find(std::string_view key, Need need) {
  if (std::find(known_keys_.begin(), known_keys_.end(), key) == known_keys_.end()) {
    known_keys_.emplace_back(key);
  }
  const toml::table& table = table_.as_table();
  const auto it = table.find(std::string(key));
  if (it != table.end()) return &it->second;
  if (need == Need::kRequired) table_error(fmt::format("missing required key '{}'", key));
  return nullptr;
}

bool TableReader::expect_type(const toml::value& value, std::string_view key, toml::value_t type) {
  if (value.type() == type) return true;
  error(value, fmt::format("{} must be {}, not {}", key, type_name(type), type_name(value.type())));
  return false;
}

std::optional<std::string> TableReader::string_value(const toml::value& value,
                                                     std::string_view label) {
  if (!expect_type(value, label, toml::value_t::string)) return std::nullopt;
  const std::string& text = value.as_string().str;
  if (text.find('\0') != std::string::npos) {
    error(value, fmt::format("{} must not contain a NUL character", label));
    return std::nullopt;
  }
  return text;
}

std::optional<Field<std::string>> TableReader::string(std::string_view key, Need need) {
  const toml::value* node = find(key, need);
  if (!node) return std::nullopt;
  auto text = string_value(*node, key);
  if (!text) return std::nullopt;
  return Field<std::string>{std::move(*text), node};
}

std::optional<Field<std::int64_t>> TableReader::integer(std::string_view key, IntRange range,
                                                        Need need) {
  const toml::value* node = find(key, need);
  if (!node || !expect_type(*node, key, toml::value_t::integer)) return std::nullopt;
  const std::int64_t value = node->as_integer();
  if (value < range.min || value > range.max) {
    error(*node,
          fmt::format("{} {} out of range {}..{}", key, integer_text(*node), range.min, range.max));
    return std::nullopt;
  }
  return Field<std::int64_t>{value, node};
}

std::optional<Field<bool>> TableReader::boolean(std::string_view key) {
  const toml::value* node = find(key, Need::kOptional);
  if (!node || !expect_type(*node, key, toml::value_t::boolean)) return std::nullopt;
  return Field<bool>{node->as_boolean(), node};
}

std::optional<Field<Duration>> TableReader::duration(std::string_view key, DurationRange range) {
  const toml::value* node = find(key, Need::kOptional);
  if (!node) return std::nullopt;
  if (!node->is_string()) {
    // A bare 100 could mean ms or s; refusing it beats guessing.
    error(*node, fmt::format("{} must be a string with a unit, e.g. \"100ms\"", key));
    return std::nullopt;
  }
  const std::string& text = node->as_string().str;
  const auto value = parse_duration(text);
  if (!value) {
    error(*node, fmt::format("{} \"{}\" is not a valid duration (a number with unit us, ms, s, m "
                             "or h, e.g. \"100ms\")",
                             key, text));
    return std::nullopt;
  }
  if (range.max && (*value < range.min || *value > *range.max)) {
    error(*node, fmt::format("{} {} out of range {}..{}", key, text, format_duration(range.min),
                             format_duration(*range.max)));
    return std::nullopt;
  }
  if (*value < range.min) {
    error(*node,
          fmt::format("{} {} is below the minimum {}", key, text, format_duration(range.min)));
    return std::nullopt;
  }
  return Field<Duration>{*value, node};
}

std::optional<Field<const toml::array*>> TableReader::array(std::string_view key, Need need) {
  const toml::value* node = find(key, need);
  if (!node || !expect_type(*node, key, toml::value_t::array)) return std::nullopt;
  return Field<const toml::array*>{&node->as_array(), node};
}

const toml::value* TableReader::table(std::string_view key, std::string_view how) {
  const toml::value* node = find(key, Need::kOptional);
  if (!node || node->is_table()) return node;
  error(*node, fmt::format("{} must be a table ({}), not {}", key, how, type_name(node->type())));
  return nullptr;
}

std::vector<const toml::value*> TableReader::tables(std::string_view key, std::string_view how) {
  std::vector<const toml::value*> result;
  const toml::value* node = find(key, Need::kOptional);
  if (!node) return result;
  if (!node->is_array()) {
    error(*node, fmt::format("{} must be an array of tables ({}), not {}", key, how,
                             type_name(node->type())));
    return result;
  }
  const toml::array& elements = node->as_array();
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].is_table()) {
      result.push_back(&elements[i]);
    } else {
      error(elements[i], fmt::format("{} #{} must be a table ({}), not {}", key, i + 1, how,
                                     type_name(elements[i].type())));
    }
  }
  return result;
}

void TableReader::error(const toml::value& at, std::string_view message) {
  diagnostics_.add(at, prefixed(message));
}

void TableReader::table_error(std::string_view message) {
  diagnostics_.add(table_, prefixed(message));
}

void TableReader::report_unknown_keys() {
  for (const auto& [key, value] : table_.as_table()) {
    if (std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end()) continue;
    // toml11 records where values are, not keys. A key sits before its value on the same line
    // (or in the [header] of a sub-table, which starts the line), so look back for it.
    const toml::source_location loc = value.location();
    const std::string_view before = std::string_view(loc.line_str()).substr(0, loc.column() - 1);
    const std::size_t at = before.rfind(key);
    const int column =
        at == std::string_view::npos ? static_cast<int>(loc.column()) : static_cast<int>(at) + 1;
    diagnostics_.add(
        static_cast<int>(loc.line()), column,
        prefixed(fmt::format("unknown key '{}'{}", key, did_you_mean(key, known_keys_))));
  }
}

std::string TableReader::prefixed(std::string_view message) const {
  return context_.empty() ? std::string(message) : fmt::format("{}: {}", context_, message);
}

}  // namespace floatd::conf

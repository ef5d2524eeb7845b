#include "conf/toml_error.hpp"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

namespace floatd::conf {
namespace {

// One excerpt of toml11's decoration:
//    2 | router_id = "lb1
//      |             ^--- here
struct Excerpt {
  int line;
  int column;
  std::string_view comment;
};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// " 12 | source text" -> 12.
std::optional<int> source_line_number(std::string_view line) {
  const std::size_t digits = line.find_first_not_of(' ');
  if (digits == std::string_view::npos) return std::nullopt;
  int number = 0;
  const auto [end, ec] = std::from_chars(line.data() + digits, line.data() + line.size(), number);
  if (ec != std::errc{} || std::string_view(end, line.data() + line.size()).substr(0, 3) != " | ") {
    return std::nullopt;
  }
  return number;
}

// "   |             ^--- here" or "   | ~~~ comment" -> {column, comment}.
std::optional<Excerpt> marker(std::string_view line, int line_number) {
  const std::size_t bar = line.find(" | ");
  if (bar == std::string_view::npos || line.find_first_not_of(' ') != bar + 1) return std::nullopt;
  const std::string_view rest = line.substr(bar + 3);
  const std::size_t at = rest.find_first_not_of(' ');
  if (at == std::string_view::npos || (rest[at] != '^' && rest[at] != '~')) return std::nullopt;
  const std::size_t end = rest[at] == '^' ? at + 4 : rest.find_first_not_of('~', at);
  std::string_view comment = end < rest.size() ? rest.substr(end) : std::string_view{};
  if (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
  return Excerpt{line_number, static_cast<int>(at) + 1, comment};
}

std::vector<Excerpt> excerpts(const std::vector<std::string_view>& lines) {
  std::vector<Excerpt> found;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const auto number = source_line_number(lines[i]);
    if (!number) continue;
    if (auto excerpt = marker(lines[i + 1], *number)) found.push_back(*excerpt);
  }
  return found;
}

// "[error] toml::parse_table: invalid line format" -> "invalid line format".
std::string_view headline(std::string_view first_line) {
  constexpr std::string_view kError = "[error]";
  constexpr std::string_view kFunction = "toml::";
  if (first_line.starts_with(kError)) first_line.remove_prefix(kError.size());
  first_line.remove_prefix(std::min(first_line.find_first_not_of(' '), first_line.size()));
  if (first_line.starts_with(kFunction)) {
    const std::size_t colon = first_line.find(": ");
    if (colon != std::string_view::npos) first_line.remove_prefix(colon + 2);
  }
  while (!first_line.empty() && first_line.back() == '.') first_line.remove_suffix(1);
  return first_line;
}

}  // namespace

Diagnostic diagnostic_from_toml_error(const toml::exception& error, const std::string& file) {
  const std::vector<std::string_view> lines = split_lines(error.what());
  const toml::source_location& location = error.location();
  Diagnostic diagnostic{file, static_cast<int>(location.line()),
                        static_cast<int>(location.column()), std::string(headline(lines[0]))};

  // A duplicate key shows both definitions; the exception's line says which one is at fault.
  const std::vector<Excerpt> found = excerpts(lines);
  const Excerpt* chosen = found.empty() ? nullptr : &found.front();
  for (const Excerpt& excerpt : found) {
    if (excerpt.line == diagnostic.line) chosen = &excerpt;
  }
  if (!chosen) return diagnostic;
  diagnostic.line = chosen->line;
  diagnostic.column = chosen->column;
  if (!chosen->comment.empty() && chosen->comment != "here") {
    diagnostic.message += ": ";
    diagnostic.message += chosen->comment;
  }
  return diagnostic;
}

}  // namespace floatd::conf

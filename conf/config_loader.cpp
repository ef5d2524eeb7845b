#include "conf/config_loader.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <toml.hpp>

#include "conf/config_schema.hpp"
#include "conf/toml_error.hpp"
#include "conf/toml_reader.hpp"

namespace floatd::conf {
namespace {

std::string join_lines(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics) {
    if (!text.empty()) text += '\n';
    text += d.to_string();
  }
  return text;
}

ConfigError cannot_read(const std::string& path, int error) {
  return ConfigError(
      {Diagnostic{path, 0, 0, fmt::format("cannot read configuration: {}", std::strerror(error))}});
}

// Read here rather than by toml::parse(path), whose error ("file open error") loses errno.
std::string read_file(const std::string& path) {
  const std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"),
                                                                &std::fclose);
  if (!file) throw cannot_read(path, errno);
  std::string text;
  char buffer[64 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) throw cannot_read(path, errno);  // e.g. EISDIR
  return text;
}

// Length of the UTF-8 sequence starting at text[i] (1..4), or 0 when it is not valid
// UTF-8 (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned char min2 = 0x80, max2 = 0xBF;  // the allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) n = 2;
  else if (b >= 0xE0 && b <= 0xEF) n = 3, min2 = b == 0xE0 ? 0xA0 : 0x80, max2 = b == 0xED ? 0x9F : 0xBF;
  else if (b >= 0xF0 && b <= 0xF4) n = 4, min2 = b == 0xF0 ? 0x90 : 0x80, max2 = b == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + n > text.size() || byte(i + 1) < min2 || byte(i + 1) > max2) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

// TOML files are UTF-8. Checked before toml11 sees the text: toml11 3.7.1 reads past its
// buffer on invalid UTF-8 inside literal strings (fixed upstream after Debian 12's version).
void check_utf8(std::string_view text, const std::string& file_name) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto n = utf8_sequence_length(text, i);
    if (n == 0) {
      throw ConfigError({Diagnostic{file_name, line, column, "invalid UTF-8 (TOML files are UTF-8)"}});
    }
    if (text[i] == '\n') {
      ++line;
      column = 0;
    }
    ++column;
    i += n;
  }
}

toml::value parse_toml(std::string_view text, const std::string& file_name) {
  check_utf8(text, file_name);
  std::istringstream stream{std::string(text)};
  try {
    return toml::parse(stream, file_name);
  } catch (const toml::exception& e) {
    throw ConfigError({diagnostic_from_toml_error(e, file_name)});
  }
}

}  // namespace

// One problem, one line: control characters that came from the file (a key or a value
// quoted in the message) are written as escapes.
std::string Diagnostic::to_string() const {
  std::string text;
  for (const char c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      text += c == '\n' ? std::string("\\n") : fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      text += c;
    }
  }
  if (line == 0) return fmt::format("{}: {}", file, text);
  return fmt::format("{}:{}:{}: {}", file, line, column, text);
}

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_lines(diagnostics)), diagnostics_(std::move(diagnostics)) {}

Config load_config_file(const std::string& path) { return parse_config(read_file(path), path); }

Config parse_config(std::string_view toml_text, const std::string& file_name) {
  const toml::value root = parse_toml(toml_text, file_name);
  Diagnostics diagnostics(file_name);
  Config config = read_config(root, diagnostics);
  if (!diagnostics.empty()) throw ConfigError(std::move(diagnostics).take_sorted());
  config.path = file_name;
  return config;
}

}  // namespace floatd::conf

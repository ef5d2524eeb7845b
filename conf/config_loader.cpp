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

toml::value parse_toml(std::string_view text, const std::string& file_name) {
  std::istringstream stream{std::string(text)};
  try {
    return toml::parse(stream, file_name);
  } catch (const toml::exception& e) {
    throw ConfigError({diagnostic_from_toml_error(e, file_name)});
  }
}

}  // namespace

std::string Diagnostic::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
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

// TOML -> Config with every problem reported as "PATH:LINE:COL: message".
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.hpp"

namespace floatd::conf {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string message;  // names the field, e.g. "instance 'web': priority 300 out of range 1..255"

  std::string to_string() const;  // "file:line:col: message"
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Both throw ConfigError with all problems found (not only the first). Missing or unreadable
// file: one Diagnostic with line 0.
Config load_config_file(const std::string& path);
Config parse_config(std::string_view toml_text, const std::string& file_name);

}  // namespace floatd::conf

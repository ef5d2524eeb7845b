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
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;       // 1-based; 0 when unknown
  std::string message;  // names the field, e.g. "instance 'web': priority 300 out of range 1..255"

  // "file:line:col: message", or "file: message" when the line is unknown (0), as for an
  // unreadable file: "/etc/floatd/floatd.toml: cannot read configuration: No such file or
  // directory".
  std::string to_string() const;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Both throw ConfigError with all problems found (not only the first), in file order. A TOML
// syntax error stops parsing, so it is the only Diagnostic ("x.toml:2:13: the next token is not
// a valid string"). Missing or unreadable file: one Diagnostic with line 0 whose message is
// "cannot read configuration: <strerror>".
Config load_config_file(const std::string& path);
Config parse_config(std::string_view toml_text, const std::string& file_name);

}  // namespace floatd::conf

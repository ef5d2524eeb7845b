// toml11 reports syntax errors as multi-line ASCII art; floatd reports "file:line:col: message".
#pragma once
#include <string>
#include <toml.hpp>

#include "conf/config_loader.hpp"

namespace floatd::conf {

// One Diagnostic for a toml11 exception: its headline without the "[error] toml::parse_x:"
// prefix, plus the excerpt's comment ("expected newline, but got '2'."), at the excerpt's
// marker. The marker is more precise than exception::location(), which often says column 1.
Diagnostic diagnostic_from_toml_error(const toml::exception& error, const std::string& file);

}  // namespace floatd::conf

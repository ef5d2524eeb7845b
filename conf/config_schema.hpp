// The floatd configuration schema: every key, default, range and cross-reference, read from an
// already parsed TOML document.
#pragma once
#include <toml.hpp>

#include "conf/config.hpp"
#include "conf/toml_reader.hpp"

namespace floatd::conf {

// Reports every problem to `diagnostics`; the Config is meaningful only if none were reported.
Config read_config(const toml::value& root, Diagnostics& diagnostics);

}  // namespace floatd::conf

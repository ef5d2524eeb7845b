// The effective configuration as TOML, every default filled in: `floatd --check --print`
// shows what floatd will actually run. Reading the output back gives the same Config.
#pragma once
#include <string>

#include "conf/config.hpp"

namespace floatd::conf {

std::string format_config(const Config& config);

}  // namespace floatd::conf

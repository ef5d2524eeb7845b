// libFuzzer target for the TOML configuration loader.
//
// parse_config(text, "fuzz.toml") either returns a Config or throws floatd::conf::ConfigError
// (a TOML syntax error, or every schema problem at once). Anything else is a bug and traps so
// libFuzzer keeps the input: another exception type escaping (a toml11 or std exception the
// loader failed to translate), a ConfigError without diagnostics, a diagnostic spanning
// several lines (floatd --check prints one "PATH:LINE:COL: message" line per problem), or one
// that does not name the file it came from.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "conf/config_loader.hpp"

namespace {

constexpr std::string_view kFileName = "fuzz.toml";

bool well_formed(const floatd::conf::Diagnostic& d) {
  const std::string text = d.to_string();
  if (text.find('\n') != std::string::npos) return false;
  if (text.rfind(kFileName, 0) != 0) return false;
  if (d.line < 0 || d.column < 0) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto config = floatd::conf::parse_config(text, std::string(kFileName));
    if (config.path != kFileName) __builtin_trap();
  } catch (const floatd::conf::ConfigError& e) {
    if (e.diagnostics().empty()) __builtin_trap();
    for (const auto& d : e.diagnostics())
      if (!well_formed(d)) __builtin_trap();
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}

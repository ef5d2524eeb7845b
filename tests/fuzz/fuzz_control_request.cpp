// libFuzzer target for the control-socket request parser (floatd reads one line per request
// from any local client allowed on the socket).
//
// parse_request(line) must never throw or crash: it returns a Request or a ParseError. A
// Request must survive format_request -> parse_request as the same alternative with the
// same contents (what floatctl sends is what floatd reads back). Violations trap so libFuzzer
// keeps the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "agent/control_protocol.hpp"

namespace {

namespace control = floatd::control;
namespace request = floatd::control::request;

bool same(const control::Request& a, const control::Request& b) {
  if (a.index() != b.index()) return false;
  if (const auto* r = std::get_if<request::Resign>(&a))
    return r->instance == std::get<request::Resign>(b).instance;
  if (const auto* m = std::get_if<request::Maintenance>(&a))
    return m->on == std::get<request::Maintenance>(b).on;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  try {
    const auto parsed = control::parse_request(line);
    const auto* request = std::get_if<control::Request>(&parsed);
    if (request == nullptr) return 0;
    const std::string again = control::format_request(*request);
    if (again.find('\n') != std::string::npos) __builtin_trap();  // one request, one line
    const auto reparsed = control::parse_request(again);
    const auto* second = std::get_if<control::Request>(&reparsed);
    if (second == nullptr || !same(*request, *second)) __builtin_trap();
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}

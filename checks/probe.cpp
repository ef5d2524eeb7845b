#include "checks/probe.hpp"

#include <string.h>  // sigabbrev_np

#include <fmt/format.h>

namespace floatd::checks {

namespace {
constexpr std::size_t kReasonOutputMax = 200;  // keeps reasons one readable journal line
}

std::string format_duration(Duration d) {
  const auto us = d.count();
  if (us % 1000000 == 0) return fmt::format("{}s", us / 1000000);
  if (us % 1000 == 0 && us < 1000000) return fmt::format("{}ms", us / 1000);
  if (us >= 1000000) return fmt::format("{:.3g}s", static_cast<double>(us) / 1e6);
  return fmt::format("{:.3g}ms", static_cast<double>(us) / 1e3);
}

std::string first_line(std::string_view captured) {
  const auto end = captured.find('\n');
  std::string line(captured.substr(0, end));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  for (char& c : line) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return line;
}

std::string describe(const ProbeResult& result) {
  std::string text;
  if (!result.error.empty()) {
    text = result.error;
  } else if (result.exit_code) {
    text = fmt::format("exit {}", *result.exit_code);
  } else if (result.signal) {
    const char* name = sigabbrev_np(*result.signal);
    text = name ? fmt::format("killed by signal {}", name)
                : fmt::format("killed by signal {}", *result.signal);
  } else {
    text = result.passed ? "passed" : "failed";
  }
  if (!result.output.empty()) {
    text += ": ";
    if (result.output.size() > kReasonOutputMax) {
      text.append(result.output, 0, kReasonOutputMax);
      text += "...";
    } else {
      text += result.output;
    }
  }
  return text;
}

}  // namespace floatd::checks

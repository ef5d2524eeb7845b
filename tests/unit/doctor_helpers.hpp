// Shared by the test_doctor_*.cpp files: configurations and finding lookups.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>

#include "agent/doctor_finding.hpp"
#include "conf/config_loader.hpp"

namespace doctor_test {

// Two instances on eth0 (vrid 51, 52) and one on eth1 (vrid 60).
inline floatd::conf::Config two_interfaces() {
  return floatd::conf::parse_config(R"(
[[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.100/24"]

[[instance]]
name = "db"
interface = "eth0"
vrid = 52
vips = ["192.0.2.101/32"]

[[instance]]
name = "mail"
interface = "eth1"
vrid = 60
vips = ["198.51.100.10/24"]
)",
                                    "/etc/floatd/floatd.toml");
}

inline floatd::conf::Config config(std::string_view toml) {
  return floatd::conf::parse_config(toml, "/etc/floatd/floatd.toml");
}

inline bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// How many findings of `severity` have `part` in their subject or problem.
inline long count(const floatd::doctor::Findings& findings, floatd::doctor::Severity severity,
                  std::string_view part = "") {
  return std::count_if(findings.begin(), findings.end(), [&](const auto& f) {
    return f.severity == severity && (contains(f.subject, part) || contains(f.problem, part));
  });
}

}  // namespace doctor_test

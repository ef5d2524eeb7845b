#include "agent/doctor_finding.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace floatd::doctor {
namespace {

constexpr std::string_view kIndent = "         ";  // lines up under the text after "warning  "

void append_finding(std::string& out, const Finding& f) {
  out += fmt::format("{:<8} {}: {}\n", to_string(f.severity), f.subject, f.problem);
  if (!f.fix.empty()) out += fmt::format("{}fix: {}\n", kIndent, f.fix);
}

std::string summary(const Findings& findings) {
  const auto count = [&findings](Severity s) {
    return std::count_if(findings.begin(), findings.end(),
                         [s](const Finding& f) { return f.severity == s; });
  };
  const auto errors = count(Severity::Error);
  const auto warnings = count(Severity::Warning);
  if (errors + warnings == 0) return "no problems found\n";
  return fmt::format("{} problem{} found ({} error{}, {} warning{})\n", errors + warnings,
                     errors + warnings == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
                     warnings == 1 ? "" : "s");
}

}  // namespace

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "?";
}

int problem_count(const Findings& findings) {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity != Severity::Note;
  }));
}

int exit_status(const Findings& findings) { return problem_count(findings) > 0 ? 1 : 0; }

std::string format_report(const Findings& findings) {
  std::string out;
  for (const Severity s : {Severity::Error, Severity::Warning, Severity::Note}) {
    for (const Finding& f : findings) {
      if (f.severity == s) append_finding(out, f);
    }
  }
  return out + summary(findings);
}

}  // namespace floatd::doctor

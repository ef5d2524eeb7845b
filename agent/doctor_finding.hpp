// floatd doctor: what one check of the host found, and the report made of all of them.
// Every evaluation (doctor_interface, doctor_sysctl, doctor_firewall, doctor_netmgr,
// doctor_peers, doctor_scripts) is a pure function from the configuration and gathered facts
// to a list of findings; only doctor_main prints them.
#pragma once
#include <string>
#include <vector>

namespace floatd::doctor {

enum class Severity {
  Error,    // failover will not work (or floatd will not start) until this is fixed
  Warning,  // failover can break under conditions that are likely enough to fix it now
  Note,     // information (a peer heard, a check that could not run); not a problem
};

struct Finding {
  Severity severity = Severity::Note;
  std::string subject;  // what it is about: "interface eth0", "check 'web'", "firewall"
  std::string problem;  // what is wrong and why it matters, one or two sentences
  std::string fix;      // what to do about it; empty for notes that need nothing

  bool operator==(const Finding&) const = default;
};

using Findings = std::vector<Finding>;

const char* to_string(Severity severity);  // "error", "warning", "note"

// Problems are errors and warnings; notes do not count.
int problem_count(const Findings& findings);

// 0 when nothing is wrong, 1 when something is (the exit status of `floatd doctor`).
int exit_status(const Findings& findings);

// The report: errors first, then warnings, then notes (each group in the order found), each
// finding as "SEVERITY  SUBJECT: PROBLEM" with an indented "fix: ..." line, and a summary line.
std::string format_report(const Findings& findings);

}  // namespace floatd::doctor

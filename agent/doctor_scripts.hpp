// floatd doctor: the health-check commands. floatd refuses to run a program someone other
// than root could modify (checks/script_security), and the script user must be able to run
// it; either way every run fails, so the check never passes and its instances stay demoted
// or in FAULT. A shell or interpreter given a script file as its first argument
// (["/bin/sh", "/etc/floatd/check.sh"]) is judged by the same rules for that file, which
// floatd itself cannot know is code.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "agent/doctor_finding.hpp"
#include "checks/script_security.hpp"
#include "checks/script_user.hpp"
#include "conf/config.hpp"

namespace floatd::doctor {

// Who checks run as, as floatd (root, under its unit) would pick it.
struct ScriptUserFacts {
  std::optional<checks::ScriptUser> user;
  std::string problem;  // why there is none: "script_user 'x' does not exist"
};

struct ProgramFacts {
  std::string path;     // as written in the command
  std::string refusal;  // checks::resolve_script's refusal; "" when it would run
  std::optional<checks::PathFacts> file;       // the file, resolved
  std::vector<checks::PathFacts> directories;  // every directory on the way to it
};

struct ScriptFacts {
  std::string check;                     // the [[check]]'s name
  ProgramFacts program;                  // command[0]
  std::optional<ProgramFacts> script;    // command[1] when command[0] is an interpreter
};

// May `user` do `what` (S_IXUSR: execute/search, S_IRUSR: read) with this file or directory?
// Root may read anything and execute what has any execute bit.
bool permitted(const checks::PathFacts& path, const checks::ScriptUser& user, mode_t what);

// Interpreters whose first argument is a program: sh, bash, dash, python3, perl...
bool is_interpreter(const std::string& argv0);

Findings evaluate_scripts(const conf::Config& config, const ScriptUserFacts& user,
                          const std::vector<ScriptFacts>& scripts);

}  // namespace floatd::doctor

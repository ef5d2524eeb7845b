#include "agent/doctor_scripts.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace floatd::doctor {
namespace {

constexpr const char* kSafePlace = "/usr/local/lib/floatd";

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool in_groups(gid_t gid, const checks::ScriptUser& user) {
  return gid == user.gid ||
         std::find(user.groups.begin(), user.groups.end(), gid) != user.groups.end();
}

std::string refusal_fix(const conf::Config& config, const ScriptFacts& s,
                        const ProgramFacts& p) {
  const std::string& why = p.refusal;
  if (why.find("writable") != std::string::npos) {
    return fmt::format("only root may change the program and its directories: chmod go-w on "
                       "what is named, or move it to a root-owned directory such as {}",
                       kSafePlace);
  }
  if (why.find("owned by") != std::string::npos) {
    return fmt::format("chown root: {} (and its directories), or move it to a root-owned "
                       "directory such as {}", p.path, kSafePlace);
  }
  return fmt::format("install the program, or correct `command` of check '{}' in {} (an "
                     "absolute path, or a name found in /usr/sbin:/usr/bin:/sbin:/bin)",
                     s.check, config.path);
}

void judge_permissions(const ScriptFacts& s, const ProgramFacts& p, const checks::ScriptUser& user,
                       mode_t need, Findings& out) {
  const std::string subject = "check '" + s.check + "'";
  for (const auto& dir : p.directories) {
    if (permitted(dir, user, S_IXUSR)) continue;
    out.push_back({Severity::Error, subject,
                   fmt::format("directory {} (mode {:04o}) cannot be entered by the script user "
                               "'{}', so {} cannot run and the check always fails",
                               dir.path, dir.mode & 07777, user.name, p.path),
                   fmt::format("chmod o+x {} (or move the program to {})", dir.path, kSafePlace)});
    return;
  }
  if (!p.file || permitted(*p.file, user, need)) return;
  const bool exec = need == S_IXUSR;
  out.push_back({Severity::Error, subject,
                 fmt::format("{} (mode {:04o}) is not {} by the script user '{}': every run "
                             "fails, so the check never passes",
                             p.path, p.file->mode & 07777, exec ? "executable" : "readable",
                             user.name),
                 fmt::format("chmod {} {}", exec ? "755" : "644", p.path)});
}

void judge_program(const conf::Config& config, const ScriptFacts& s, const ProgramFacts& p,
                   const std::optional<checks::ScriptUser>& user, bool is_script,
                   Findings& out) {
  if (!p.refusal.empty()) {
    // floatd itself refuses the program (an error); for an interpreted script it does not
    // look, so the hole stays open (a warning: the check works, but is not safe).
    out.push_back({is_script ? Severity::Warning : Severity::Error, "check '" + s.check + "'",
                   is_script ? fmt::format("the script {} of its interpreter is unsafe: {} "
                                           "(floatd only checks the interpreter)",
                                           p.path, p.refusal)
                             : fmt::format("{}: every run fails, so the check never passes",
                                           p.refusal),
                   refusal_fix(config, s, p)});
    return;
  }
  if (user) judge_permissions(s, p, *user, is_script ? S_IRUSR : S_IXUSR, out);
}

}  // namespace

bool permitted(const checks::PathFacts& path, const checks::ScriptUser& user, mode_t what) {
  const mode_t m = path.mode;
  if (user.uid == 0) return what != S_IXUSR || (m & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
  if (path.uid == user.uid) return (m & what) != 0;
  if (in_groups(path.gid, user)) return (m & (what >> 3)) != 0;
  return (m & (what >> 6)) != 0;
}

bool is_interpreter(const std::string& argv0) {
  static const std::set<std::string> kInterpreters{"sh",      "bash",    "dash",  "zsh",
                                                   "ksh",     "python",  "python3", "perl",
                                                   "ruby",    "lua",     "php",   "node"};
  return kInterpreters.count(basename_of(argv0)) > 0;
}

Findings evaluate_scripts(const conf::Config& config, const ScriptUserFacts& user,
                          const std::vector<ScriptFacts>& scripts) {
  Findings out;
  if (scripts.empty()) return out;
  if (!user.user) {
    out.push_back({Severity::Error, "global.script_user",
                   user.problem + ": floatd refuses to start with checks configured",
                   fmt::format("create the user (the package creates floatd-script) or set "
                               "script_user in [global] of {} to an existing user other than "
                               "root", config.path)});
  }
  for (const ScriptFacts& s : scripts) {
    judge_program(config, s, s.program, user.user, false, out);
    if (s.script) judge_program(config, s, *s.script, user.user, true, out);
  }
  return out;
}

}  // namespace floatd::doctor

// Script security, as keepalived's: a check runs with the privileges of the script user, so
// a script that someone else could rewrite would let them run code as that user (or as
// root when floatd runs scripts as itself). Checked before every run, since files change.
//
// Rules. "Trusted" owners are root and the uid floatd runs as.
//   the file:        a regular file, owned by a trusted uid, neither group- nor
//                    other-writable;
//   each directory:  owned by a trusted uid; unless sticky (like /tmp: nobody can rename or
//                    delete an entry they do not own), neither other-writable nor
//                    group-writable by a group the script user belongs to.
// The directories are those of the path as written (a symlink there could be swapped) and
// of the resolved path (the real file could be replaced).
#pragma once
#include <sys/types.h>

#include <optional>
#include <span>
#include <string>

#include "checks/script_user.hpp"

namespace floatd::checks {

// What stat(2) says about one path.
struct PathFacts {
  std::string path;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;
};

// Pure: nullopt when safe, else the reason to refuse ("/x is writable by others").
std::optional<std::string> script_insecurity(const PathFacts& file,
                                             std::span<const PathFacts> directories,
                                             const ScriptUser& runs_as, uid_t self);

struct ResolvedScript {
  std::string path;     // what to execute, when refusal is empty
  std::string refusal;  // "refusing to run ...: <why>" / "cannot run ...: <errno text>"
};

// argv[0] must be absolute or a bare name, found then in the scripts' PATH. Stats the file
// and its directories and applies script_insecurity with our own euid as `self`.
ResolvedScript resolve_script(const std::string& argv0, const ScriptUser& runs_as);

}  // namespace floatd::checks

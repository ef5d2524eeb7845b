// The identity check scripts run as (global.script_user). Resolved once at start-up or
// reload, in the parent: NSS lookups are neither async-signal-safe (needed after fork) nor
// cheap enough for every run.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace floatd::checks {

struct ScriptUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, including gid
};

// The passwd entry of `name` with its group list; nullopt when there is no such user.
std::optional<ScriptUser> lookup_script_user(const std::string& name);

// The default: "floatd-script" when that user exists, else "nobody"; nullopt if neither
// does (the caller refuses to start rather than run scripts as root by accident).
std::optional<ScriptUser> default_script_user();

// Whom scripts (checks, hooks) run as: root switches to `configured` (or the default when
// empty) and never runs them as root; anyone else cannot switch and gets nullopt (run as
// ourselves). Start-up and reload time: std::runtime_error when there is no such user or it
// is root.
std::optional<ScriptUser> resolve_script_user(const std::string& configured);

// Who we are (name left empty): scripts run as this when no user switch is asked for, e.g.
// when floatd is not root and cannot switch users.
ScriptUser current_identity();

}  // namespace floatd::checks

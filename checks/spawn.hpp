// Starting a check or hook process: no shell, its own process group (so a timeout can kill
// everything it started), default signal dispositions and an empty signal mask, an
// environment of PATH=kScriptPath plus the caller's "KEY=VALUE" entries (notify hooks get
// FLOATD_* there, checks nothing) and nothing inherited from floatd, working directory "/",
// stdin /dev/null, stdout and stderr into `output_fd`, no other descriptor (everything
// from fd 3 up is closed).
//
// Two ways, one result:
//   - as ourselves: posix_spawn(3), which does all of the above with attributes and file
//     actions (glibc >= 2.34 for addclosefrom_np). One glibc quirk no attribute can undo:
//     its two internal signals (32 and 33, used by NPTL) arrive ignored in the child;
//     glibc programs reinstall them at start-up, so only a non-glibc script could notice;
//   - as another user: posix_spawn cannot change credentials, so fork(2) and a short child
//     path of async-signal-safe calls (setgroups, setgid, setuid, execve). A failure there
//     is written to the output pipe ("floatd: setuid failed: errno 1") and exits 127.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/script_user.hpp"

namespace floatd::checks {

inline constexpr std::string_view kScriptPath = "/usr/sbin:/usr/bin:/sbin:/bin";

struct Spawned {
  pid_t pid = -1;     // also the process group id
  std::string error;  // set when pid is -1
};

// `path` is what to execute (see resolve_script), argv is passed as is (argv[0] included).
// `env` entries come after PATH, as given: one naming PATH would not override ours for
// programs that take the first match (glibc's getenv), so callers must not pass one.
Spawned spawn_script(const std::string& path, const std::vector<std::string>& argv,
                     const std::vector<std::string>& env,
                     const std::optional<ScriptUser>& switch_to, int output_fd);

}  // namespace floatd::checks

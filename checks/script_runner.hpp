// Runs one check command at a time without ever blocking the event loop: the exit arrives
// through ev_child, the output through ev_io on a non-blocking pipe, the timeout through
// ev_timer, which kills the whole process group. A run reports only once its process has
// been reaped, so there are no zombies and at most one process group per runner.
//
// ev_child works only on libev's default loop (EV_DEFAULT), which also reaps every child
// of the process on SIGCHLD: nothing else in floatd may call waitpid() or set SIGCHLD to
// SIG_IGN.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <ev.h>

#include "checks/probe.hpp"
#include "checks/script_user.hpp"
#include "agent/unique_fd.hpp"

namespace floatd::checks {

struct ScriptSpec {
  std::vector<std::string> argv;  // argv[0]: absolute path or a name in kScriptPath
  Duration timeout = std::chrono::milliseconds(500);
  // Switch to this user for the run (floatd running as root); nullopt runs as ourselves.
  std::optional<ScriptUser> user;
  // Extra "KEY=VALUE" environment entries after PATH (see spawn_script); none for checks.
  // The "= {}" keeps ScriptSpec{argv, timeout, user} free of -Wmissing-field-initializers.
  std::vector<std::string> env = {};
};

// Output kept per run; beyond it the pipe is still drained (so a chatty script never
// blocks on a full pipe) but the bytes are dropped.
inline constexpr std::size_t kOutputCap = 4096;

class ScriptRunner final : public Probe {
 public:
  // `loop` must be the default loop (std::invalid_argument otherwise).
  ScriptRunner(struct ev_loop* loop, ScriptSpec spec);
  // A run still in flight is killed (its group gets SIGKILL) and its result dropped; the
  // default loop reaps it later.
  ~ScriptRunner() override;
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  std::optional<ProbeResult> start(Done done) override;
  bool running() const override { return pid_ > 0; }

 private:
  static void on_output(struct ev_loop* loop, ev_io* watcher, int revents);
  static void on_exit(struct ev_loop* loop, ev_child* watcher, int revents);
  static void on_timeout(struct ev_loop* loop, ev_timer* watcher, int revents);
  void drain_output();
  void stop_watchers();

  struct ev_loop* loop_;
  ScriptSpec spec_;
  void kill_group() const;

  ScriptUser runs_as_;  // spec_.user or ourselves: whose writes the security check fears

  pid_t pid_ = -1;
  UniqueFd output_fd_;
  std::string output_;
  bool timed_out_ = false;
  std::chrono::steady_clock::time_point started_;
  Done done_;
  ev_io io_{};
  ev_child child_{};
  ev_timer timer_{};
};

}  // namespace floatd::checks

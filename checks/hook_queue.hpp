// Notify hooks (scripts told about state changes), run SERIALLY in the order they were
// pushed, one at a time, each with a timeout. keepalived fires its notify scripts and
// forgets them, so a slow MASTER script can still be running, or even start, after the
// BACKUP one that followed it; here a hook starts only once the previous one has been
// reaped, so a script never sees an older event after a newer one.
//
// Nothing here blocks the event loop: each hook is a ScriptRunner (own process group, clean
// environment plus the hook's entries, no inherited descriptors, script user, security
// refusal, group killed at the timeout, reaped through ev_child), and a waiting hook is just
// an entry in a deque. The backlog is bounded: when a burst of events outruns the hooks,
// the OLDEST waiting hook is dropped (counted and reported), never the one running, and
// what does run stays in event order.
//
// Like ScriptRunner it needs libev's default loop (ev_child).
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ev.h>

#include "checks/probe.hpp"
#include "checks/script_runner.hpp"
#include "checks/script_user.hpp"

namespace floatd::checks {

struct Hook {
  std::string label;              // for the caller's logs: "web: BACKUP -> MASTER"
  std::vector<std::string> argv;  // argv[0]: absolute path or a name in kScriptPath
  std::vector<std::string> env;   // "KEY=VALUE" after PATH (e.g. FLOATD_TO=MASTER), no PATH
};

class HookQueue {
 public:
  // Every hook, once finished (result from its run) or unable to start (result.error set,
  // reported at once, possibly from inside push()).
  using OnDone = std::function<void(const Hook&, const ProbeResult&)>;
  // A waiting hook pushed out of the backlog by a newer one; never run.
  using OnDropped = std::function<void(const Hook&)>;

  // `loop` must be EV_DEFAULT; hooks run as `user` (nullopt: as ourselves), each killed
  // after `timeout`. At most `max_pending` hooks wait behind the running one. Start-up time
  // only: std::invalid_argument for a non-default loop, a non-positive timeout,
  // max_pending 0 or no on_done. The callbacks must not destroy the queue; they may push.
  HookQueue(struct ev_loop* loop, std::optional<ScriptUser> user, Duration timeout,
            std::size_t max_pending, OnDone on_done, OnDropped on_dropped = nullptr);
  // Kills the running hook's process group (ScriptRunner's destructor; the default loop
  // reaps it later) and drops the waiting ones, without reporting either.
  ~HookQueue() = default;
  HookQueue(const HookQueue&) = delete;
  HookQueue& operator=(const HookQueue&) = delete;

  // Appends `hook`; it starts at once when nothing is running. Never blocks.
  void push(Hook hook);

  // For the hooks that start from now on (a reload changed notify_timeout or script_user).
  void set_timeout(Duration timeout) { timeout_ = timeout; }
  void set_user(std::optional<ScriptUser> user) { user_ = std::move(user); }

  bool running() const { return current_ != nullptr; }
  std::size_t pending() const { return waiting_.size(); }  // not counting the running one
  std::uint64_t dropped() const { return dropped_; }

 private:
  // The running hook and its runner: one per hook, since argv and env differ.
  struct Current {
    Current(struct ev_loop* loop, Hook h, ScriptSpec spec)
        : hook(std::move(h)), runner(loop, std::move(spec)) {}
    Hook hook;
    ScriptRunner runner;
  };

  void run_waiting();
  void start(Hook hook);
  void finished(const ProbeResult& result);
  void drop_oldest();

  struct ev_loop* loop_;
  std::optional<ScriptUser> user_;
  Duration timeout_;
  std::size_t max_pending_;
  OnDone on_done_;
  OnDropped on_dropped_;

  std::deque<Hook> waiting_;
  std::unique_ptr<Current> current_;
  bool dispatching_ = false;  // inside run_waiting: a push from on_done only appends
  std::uint64_t dropped_ = 0;
};

}  // namespace floatd::checks

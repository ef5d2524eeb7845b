// Notify hooks: the programs an instance or a sync group runs on its state changes
// (`notify`, `on_master`, `on_backup`, `on_fault`, `on_stop`), queued in event order on one
// checks::HookQueue for the whole daemon, so a hook never sees an older state after a newer
// one, and a slow hook delays only the hooks after it, never adverts or VIP changes.
//
//   StateChangeLog -> Daemon::on_state_change -> NotifyHooks -> HookQueue (one at a time)
//
// What a hook is told (environment; argv is passed as configured):
//   FLOATD_INSTANCE FLOATD_VRID FLOATD_STATE FLOATD_PREV_STATE FLOATD_PRIORITY FLOATD_REASON
//   FLOATD_VIPS (space separated, with prefix lengths); a group's hooks also get FLOATD_GROUP,
//   their STATE/PREV_STATE are the group's and INSTANCE/VRID/PRIORITY/REASON those of the
//   member whose change moved the group, VIPS every member's.
// States: MASTER, BACKUP, FAULT, and STOP when floatd stops the instance (shutdown, or a
// reload removed it). `notify` runs first, then the on_* hook of the new state.
// A group's state: FAULT if a member is in FAULT, else MASTER if every member is MASTER,
// else STOP if every member stopped, else BACKUP.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/logging.hpp"
#include "checks/hook_queue.hpp"
#include "conf/config.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

// "MASTER", "BACKUP", "FAULT", or "STOP" for INIT (an instance that stopped).
std::string hook_state_name(State state);

// The group's state from its members' last known states (members never heard of count as
// stopped).
State group_state(const std::vector<State>& members);

// The hooks to run for one change: `notify`, then the on_* of `to`. Empty when none is set.
std::vector<checks::Hook> hooks_for(const conf::HookConfig& hooks, const std::string& label,
                                    State to, std::vector<std::string> env);

class NotifyHooks {
 public:
  // `config` is the daemon's running configuration, read at every change (it outlives us and
  // a reload replaces it in place). Throws std::runtime_error like the checks when hooks are
  // configured and there is no user to run them as.
  NotifyHooks(struct ev_loop* loop, const conf::Config& config);

  void on_state_change(const StateChange& change);
  // Whom the hooks of `config` run as (a reload asks before it changes anything): throws
  // std::runtime_error when hooks are configured and there is no such user.
  static std::optional<checks::ScriptUser> user_for(const conf::Config& config);
  // After a reload: the new notify_timeout and user apply to the hooks that start next.
  void reconfigure(std::optional<checks::ScriptUser> user);
  // At a graceful stop: runs the loop until every queued hook has finished, at most
  // notify_timeout; what still runs then is killed with the queue.
  void drain(struct ev_loop* loop);

 private:
  void queue(std::vector<checks::Hook> hooks);
  void on_group_member_change(const conf::GroupConfig& group, const StateChange& change);
  // The environment of a hook about `change`, telling `state` after `previous` (the
  // instance's own, or its group's) and the VIPs concerned.
  static std::vector<std::string> hook_env(const StateChange& change, State state, State previous,
                                           const std::vector<IpPrefix>& vips);
  const conf::InstanceConfig* instance(const std::string& name) const;

  const conf::Config& config_;
  std::shared_ptr<spdlog::logger> log_;
  checks::HookQueue queue_;
  std::map<std::string, State> states_;        // last state of every instance
  std::map<std::string, State> group_states_;  // last state of every group
};

}  // namespace floatd

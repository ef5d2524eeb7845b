// Connects trackers to instances: each instance's `track` list (checks, interfaces, files)
// turns into an effective priority and a weight-0 FAULT (checks/effective_priority), delivered
// to the instance as events, each change logged with its reason.
//
//   CheckScheduler --on_change---.
//   TrackedInterfaces (link events)+--> Tracking --health_changed / priority_changed--> InstanceRunner
//   TrackedFiles (ev_stat) -------'
//
// A reload (agent/daemon_reload.cpp) changes checks in two phases: prepare() builds the probes
// of the added and changed checks and may throw; apply() swaps them in and cannot fail, so a
// reload either applies completely or not at all.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/instance_runner.hpp"
#include "agent/metrics.hpp"
#include "agent/tracked_files.hpp"
#include "agent/tracked_interfaces.hpp"
#include "checks/check_scheduler.hpp"
#include "checks/effective_priority.hpp"
#include "conf/config.hpp"
#include "conf/config_diff.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

class Tracking {
 public:
  // Builds the check scheduler for config.checks (scripts run as the configured user when
  // root). Throws std::runtime_error at start-up (e.g. no user to run scripts as). After a
  // hitless restart `resumed` holds the checks' verdicts from the previous process.
  // `query_link` looks tracked interfaces up by name.
  Tracking(struct ev_loop* loop, const conf::Config& config,
           const std::map<std::string, checks::Health>& resumed,
           TrackedInterfaces::Query query_link);
  ~Tracking();

  // `runner` follows `tracks` (again, after a reload: they replace the old ones). The
  // checks' current verdicts (not yet passed at start-up) reach it at once, so an instance
  // that tracks a failing check starts in FAULT; with no tracks it returns to its configured
  // priority and health.
  void follow(InstanceRunner& runner, std::vector<conf::TrackConfig> tracks);
  // The instance is going away: no more events for it.
  void forget(const InstanceRunner& runner);
  void start();  // runs the checks
  // Link notifications (all interfaces) and their loss, for the interface trackers.
  void link_changed(int ifindex, bool up);
  void links_resynced();
  checks::Health health(const std::string& check) const;  // std::out_of_range if unknown
  std::vector<CheckMetrics> metrics() const;  // every check, for floatctl metrics

  struct PreparedChecks {
    conf::ConfigDiff diff;
    std::vector<checks::CheckScheduler::Check> checks;  // added and changed, with new probes
  };
  // Throws std::runtime_error (no script user, bad probe) without changing anything.
  PreparedChecks prepare(const conf::Config& next, const conf::ConfigDiff& diff) const;
  // Removed checks stop, changed ones restart from their current health, added ones start
  // unknown; the instances that track them are re-evaluated.
  void apply(PreparedChecks prepared);

 private:
  struct Follower {
    InstanceRunner* runner;
    std::vector<conf::TrackConfig> tracks;
  };

  void on_check_change(const std::string& name, bool passing, const std::string& reason);
  // Re-evaluates the instances whose tracks match `tracks_it`.
  template <typename Predicate>
  void update_followers(Predicate tracks_it);
  void watch_subjects(const std::vector<conf::TrackConfig>& tracks);
  void drop_unfollowed_subjects();
  void on_check_result(const std::string& name, const checks::ProbeResult& result);
  void update(const Follower& follower);
  checks::EffectivePriority evaluate(const Follower& follower) const;

  struct ev_loop* loop_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<checks::CheckScheduler> scheduler_;  // all checks; empty without any
  TrackedInterfaces interfaces_;
  TrackedFiles files_;
  std::vector<Follower> followers_;
  std::map<std::string, CheckMetrics> results_;  // by check name
};

}  // namespace floatd

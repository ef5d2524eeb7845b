// Connects health checks to instances: each instance's `track` list turns check results into
// an effective priority and a weight-0 FAULT (checks/effective_priority), delivered to the
// instance as events, each change logged with its reason.
//
//   CheckScheduler --on_change--> Tracking --health_changed / priority_changed--> InstanceRunner
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "agent/instance_runner.hpp"
#include "checks/check_scheduler.hpp"
#include "checks/effective_priority.hpp"
#include "conf/config.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

class Tracking {
 public:
  // Builds the check scheduler for config.checks (scripts run as the configured user when
  // root). Throws std::runtime_error at start-up (e.g. no user to run scripts as).
  Tracking(struct ev_loop* loop, const conf::Config& config);
  ~Tracking();

  // `runner` follows `tracks`; its initial state (every check not yet passed) is applied at
  // once, so an instance that tracks a failing check starts in FAULT.
  void follow(InstanceRunner& runner, std::vector<conf::TrackConfig> tracks);
  void start();  // runs the checks

 private:
  struct Follower {
    InstanceRunner* runner;
    std::vector<conf::TrackConfig> tracks;
    checks::EffectivePriority last;
  };

  void on_check_change(const std::string& name, bool passing, const std::string& reason);
  void update(Follower& follower, bool initial);
  checks::EffectivePriority evaluate(const Follower& follower) const;

  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<checks::CheckScheduler> scheduler_;
  std::vector<Follower> followers_;
};

}  // namespace floatd

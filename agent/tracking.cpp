#include "agent/tracking.hpp"

#include <unistd.h>

#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/logging.hpp"

namespace floatd {
namespace {

// Root switches to the script user (never runs checks as root); anyone else cannot switch
// and runs them as itself.
std::optional<checks::ScriptUser> script_user(const std::string& configured) {
  if (geteuid() != 0) return std::nullopt;
  if (!configured.empty()) {
    auto user = checks::lookup_script_user(configured);
    if (!user) throw std::runtime_error(fmt::format("script_user '{}' does not exist", configured));
    if (user->uid == 0) throw std::runtime_error("script_user must not be root");
    return user;
  }
  auto user = checks::default_script_user();
  if (!user) {
    throw std::runtime_error(
        "no user to run check scripts as: create 'floatd-script' (or 'nobody')");
  }
  return user;
}

std::vector<checks::CheckScheduler::Check> make_checks(struct ev_loop* loop,
                                                       const conf::Config& config) {
  std::vector<checks::CheckScheduler::Check> out;
  if (config.checks.empty()) return out;
  const auto user = script_user(config.global.script_user);
  for (const auto& c : config.checks) {
    checks::CheckSpec spec{c.name, c.command, "", c.interval, c.timeout, c.rise, c.fall};
    auto probe = checks::make_probe(loop, spec, user);
    out.push_back({std::move(spec), std::move(probe)});
  }
  return out;
}

}  // namespace

Tracking::Tracking(struct ev_loop* loop, const conf::Config& config)
    : log_(subsystem_logger("checks")) {
  auto checks = make_checks(loop, config);
  if (checks.empty()) return;
  scheduler_ = std::make_unique<checks::CheckScheduler>(
      loop, std::move(checks),
      checks::CheckCallbacks{[this](const std::string& name, bool passing,
                                    const std::string& reason) {
                               on_check_change(name, passing, reason);
                             },
                             nullptr, [this](const std::string& name) {
                               log_->warn("check '{}' still running at its next interval; "
                                          "skipped a run",
                                          name);
                             }});
}

Tracking::~Tracking() = default;

void Tracking::follow(InstanceRunner& runner, std::vector<conf::TrackConfig> tracks) {
  if (tracks.empty()) return;
  followers_.push_back({&runner, std::move(tracks), {}});
  update(followers_.back(), true);
}

void Tracking::start() {
  if (scheduler_) scheduler_->start();
}

void Tracking::on_check_change(const std::string& name, bool passing, const std::string& reason) {
  log_->info("check '{}' is now {}: {}", name, passing ? "passing" : "failing", reason);
  for (auto& f : followers_) {
    for (const auto& t : f.tracks) {
      if (t.check == name) {
        update(f, false);
        break;
      }
    }
  }
}

checks::EffectivePriority Tracking::evaluate(const Follower& f) const {
  std::vector<checks::Tracker> trackers;
  for (const auto& t : f.tracks) {
    const bool passing = scheduler_ && scheduler_->health(t.check) == checks::Health::Passing;
    trackers.push_back(checks::StatusTracker{fmt::format("check '{}'", t.check), t.weight, !passing});
  }
  return checks::effective_priority(f.runner->configured_priority(), trackers);
}

void Tracking::update(Follower& f, bool initial) {
  const auto now = evaluate(f);
  const auto reason = now.reason.empty() ? std::string("tracked checks passing") : now.reason;
  // An instance starts healthy (see ElectionState): initially only a fault needs telling.
  const bool was_fault = !initial && f.last.fault;
  if (now.fault != was_fault) {
    log_->info("{}: {}: {}", f.runner->name(), now.fault ? "unhealthy" : "healthy", reason);
    f.runner->health_changed(!now.fault, reason);
  }
  if (now.priority != f.runner->state().priority) {
    log_->info("{}: effective priority {} -> {}: {}", f.runner->name(), f.runner->state().priority,
               now.priority, reason);
    f.runner->priority_changed(now.priority, reason);
  }
  f.last = now;
}

}  // namespace floatd

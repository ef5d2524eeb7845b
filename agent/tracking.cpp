#include "agent/tracking.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/logging.hpp"

namespace floatd {
namespace {

// Only script checks need someone to run as; tcp and http probes run inside floatd.
bool runs_scripts(const conf::Config& config) {
  return std::ranges::any_of(config.checks, [](const auto& c) { return !c.command.empty(); });
}

checks::CheckScheduler::Check make_check(struct ev_loop* loop, const conf::CheckConfig& c,
                                        const std::optional<checks::ScriptUser>& user) {
  checks::CheckSpec spec;
  spec.name = c.name;
  spec.argv = c.command;
  spec.tcp = c.tcp;
  spec.http = c.http;
  spec.expect_status = c.expect_status;
  spec.interval = c.interval;
  spec.timeout = c.timeout;
  spec.rise = c.rise;
  spec.fall = c.fall;
  auto probe = checks::make_probe(loop, spec, user);
  return {std::move(spec), std::move(probe)};
}

const conf::CheckConfig& check_named(const conf::Config& config, const std::string& name) {
  for (const auto& c : config.checks) {
    if (c.name == name) return c;
  }
  throw std::logic_error("a check of the diff is not in its configuration: " + name);
}

}  // namespace

Tracking::Tracking(struct ev_loop* loop, const conf::Config& config,
                   const std::map<std::string, checks::Health>& resumed,
                   TrackedInterfaces::Query query_link)
    : loop_(loop),
      log_(subsystem_logger("checks")),
      interfaces_(std::move(query_link)),
      files_(loop, [this](const std::string& path) {
        log_->info("tracked {}", files_.describe(path));
        update_followers([&](const conf::TrackConfig& t) { return t.file == path; });
      }) {
  scheduler_ = std::make_unique<checks::CheckScheduler>(
      loop, std::vector<checks::CheckScheduler::Check>{},
      checks::CheckCallbacks{[this](const std::string& name, bool passing,
                                    const std::string& reason) {
                               on_check_change(name, passing, reason);
                             },
                             [this](const std::string& name, const checks::ProbeResult& r) {
                               on_check_result(name, r);
                             },
                             [this](const std::string& name) {
                               log_->warn("check '{}' still running at its next interval; "
                                          "skipped a run",
                                          name);
                             }});
  const auto user =
      runs_scripts(config) ? checks::resolve_script_user(config.global.script_user) : std::nullopt;
  for (const auto& c : config.checks) {
    const auto found = resumed.find(c.name);
    scheduler_->add(make_check(loop, c, user),
                    found == resumed.end() ? checks::Health::Unknown : found->second);
    results_[c.name];  // listed in the metrics before its first run
  }
}

Tracking::~Tracking() = default;

void Tracking::follow(InstanceRunner& runner, std::vector<conf::TrackConfig> tracks) {
  std::erase_if(followers_, [&](const Follower& f) { return f.runner == &runner; });
  watch_subjects(tracks);
  followers_.push_back({&runner, std::move(tracks)});
  update(followers_.back());
  if (followers_.back().tracks.empty()) followers_.pop_back();
  drop_unfollowed_subjects();
}

void Tracking::forget(const InstanceRunner& runner) {
  std::erase_if(followers_, [&](const Follower& f) { return f.runner == &runner; });
  drop_unfollowed_subjects();
}

void Tracking::watch_subjects(const std::vector<conf::TrackConfig>& tracks) {
  for (const auto& t : tracks) {
    if (!t.interface.empty()) interfaces_.watch(t.interface);
    if (!t.file.empty()) files_.watch(t.file);
  }
}

void Tracking::drop_unfollowed_subjects() {
  std::vector<std::string> interfaces, files;
  for (const auto& f : followers_) {
    for (const auto& t : f.tracks) {
      if (!t.interface.empty()) interfaces.push_back(t.interface);
      if (!t.file.empty()) files.push_back(t.file);
    }
  }
  interfaces_.retain(interfaces);
  files_.retain(files);
}

void Tracking::start() { scheduler_->start(); }

void Tracking::link_changed(int ifindex, bool up) {
  for (const auto& name : interfaces_.on_link(ifindex, up)) {
    log_->info("tracked {}", interfaces_.describe(name));
    update_followers([&](const conf::TrackConfig& t) { return t.interface == name; });
  }
}

void Tracking::links_resynced() {
  for (const auto& name : interfaces_.resync()) {
    log_->info("tracked {}", interfaces_.describe(name));
    update_followers([&](const conf::TrackConfig& t) { return t.interface == name; });
  }
}

template <typename Predicate>
void Tracking::update_followers(Predicate tracks_it) {
  for (const auto& f : followers_) {
    if (std::ranges::any_of(f.tracks, tracks_it)) update(f);
  }
}

checks::Health Tracking::health(const std::string& check) const { return scheduler_->health(check); }

Tracking::PreparedChecks Tracking::prepare(const conf::Config& next,
                                           const conf::ConfigDiff& diff) const {
  PreparedChecks prepared{diff, {}};
  std::optional<std::optional<checks::ScriptUser>> user;  // looked up once, when needed
  for (const auto& d : diff.checks) {
    if (d.change != conf::Change::Added && d.change != conf::Change::Updated) continue;
    if (!user) {
      user = runs_scripts(next) ? checks::resolve_script_user(next.global.script_user)
                                : std::nullopt;
    }
    prepared.checks.push_back(make_check(loop_, check_named(next, d.name), *user));
  }
  return prepared;
}

void Tracking::apply(PreparedChecks prepared) {
  auto next_probe = prepared.checks.begin();
  for (const auto& d : prepared.diff.checks) {
    switch (d.change) {
      case conf::Change::Unchanged: break;
      case conf::Change::Removed:
        scheduler_->remove(d.name);
        results_.erase(d.name);
        log_->info("check '{}' removed", d.name);
        break;
      case conf::Change::Updated: {
        const auto health = scheduler_->health(d.name);
        scheduler_->remove(d.name);
        scheduler_->add(std::move(*next_probe++), health);
        log_->info("check '{}' updated, still {}", d.name, checks::to_string(health));
        break;
      }
      case conf::Change::Added:
      case conf::Change::Restarted:
        scheduler_->add(std::move(*next_probe++));
        results_[d.name];
        log_->info("check '{}' added", d.name);
        break;
    }
  }
}

void Tracking::on_check_result(const std::string& name, const checks::ProbeResult& r) {
  auto& m = results_[name];
  ++(r.passed ? m.passed : m.failed);
  if (r.timed_out) ++m.timed_out;
  m.total_duration += r.duration;
  m.last_duration = r.duration;
}

std::vector<CheckMetrics> Tracking::metrics() const {
  std::vector<CheckMetrics> out;
  for (const auto& [name, result] : results_) {
    out.push_back(result);
    out.back().name = name;
    out.back().health = scheduler_->health(name);
  }
  return out;
}

void Tracking::on_check_change(const std::string& name, bool passing, const std::string& reason) {
  log_->info("check '{}' is now {}: {}", name, passing ? "passing" : "failing", reason);
  update_followers([&](const conf::TrackConfig& t) { return t.check == name; });
}

checks::EffectivePriority Tracking::evaluate(const Follower& f) const {
  std::vector<checks::Tracker> trackers;
  for (const auto& t : f.tracks) {
    if (!t.check.empty()) {
      const bool passing = scheduler_->health(t.check) == checks::Health::Passing;
      trackers.push_back(
          checks::StatusTracker{fmt::format("check '{}'", t.check), t.weight, !passing});
    } else if (!t.interface.empty()) {
      trackers.push_back(checks::StatusTracker{fmt::format("interface {}", t.interface), t.weight,
                                               !interfaces_.up(t.interface)});
    } else {
      trackers.push_back(
          checks::ValueTracker{fmt::format("file {}", t.file), t.weight, files_.value(t.file)});
    }
  }
  return checks::effective_priority(f.runner->configured_priority(), trackers);
}

// Compared with what the instance runs now, so the first evaluation, a re-evaluation after a
// reload and a check flip all take the same path.
void Tracking::update(const Follower& f) {
  const auto now = evaluate(f);
  const auto reason = now.reason.empty() ? std::string("trackers all healthy") : now.reason;
  const bool was_fault = f.runner->state().health_fault.has_value();
  if (now.fault != was_fault) {
    log_->info("{}: {}: {}", f.runner->name(), now.fault ? "unhealthy" : "healthy", reason);
    f.runner->health_changed(!now.fault, reason);
  }
  if (now.priority != f.runner->state().priority) {
    log_->info("{}: effective priority {} -> {}: {}", f.runner->name(), f.runner->state().priority,
               now.priority, reason);
    f.runner->priority_changed(now.priority, reason);
  }
}

}  // namespace floatd

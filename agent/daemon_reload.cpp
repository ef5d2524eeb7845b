// Reload: the running configuration becomes the file's, changing only what differs
// (conf/config_diff.hpp says how each difference is applied). Everything that can fail is
// checked before anything changes, so a reload applies completely or not at all.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/daemon.hpp"
#include "conf/config_loader.hpp"
#include "netlink/link_info.hpp"

namespace floatd {
namespace {

const conf::InstanceConfig& instance_named(const conf::Config& config, const std::string& name) {
  for (const auto& i : config.instances) {
    if (i.name == name) return i;
  }
  throw std::logic_error("an instance of the diff is not in its configuration: " + name);
}

bool starts_anew(conf::Change change) {
  return change == conf::Change::Added || change == conf::Change::Restarted;
}

std::vector<std::string> diagnostics_of(const conf::ConfigError& error) {
  std::vector<std::string> lines;
  for (const auto& d : error.diagnostics()) lines.push_back(d.to_string());
  return lines;
}

}  // namespace

ReloadOutcome Daemon::reload(bool plan_only) {
  conf::Config next;
  try {
    next = conf::load_config_file(config_.path);
  } catch (const conf::ConfigError& e) {
    return {false, false, diagnostics_of(e)};
  }
  const auto diff = conf::diff_configs(config_, next);
  auto plan = conf::format_plan(diff);
  if (plan_only || diff.empty()) return {true, false, std::move(plan)};
  try {
    check_links_exist(next, diff);
    auto prepared = tracking_->prepare(next, diff);
    auto hook_user = NotifyHooks::user_for(next);
    apply(next, diff, std::move(prepared), std::move(hook_user));
  } catch (const std::runtime_error& e) {
    return {false, false, {fmt::format("{}: {}", config_.path, e.what())}};
  }
  return {true, true, std::move(plan)};
}

// An instance that starts anew needs its interface and an IPv4 address to advertise from;
// open_link would throw half-way through the apply step.
void Daemon::check_links_exist(const conf::Config& next, const conf::ConfigDiff& diff) const {
  for (const auto& d : diff.instances) {
    if (!starts_anew(d.change)) continue;
    const auto& instance = instance_named(next, d.name);
    const auto info = net::query_link(instance.interface);
    if (!info) {
      throw std::runtime_error(fmt::format("instance '{}': interface '{}' does not exist",
                                           instance.name, instance.interface));
    }
    if (!links_.contains(info->ifindex) && !net::primary_ipv4(*info, instance.vips)) {
      throw std::runtime_error(fmt::format(
          "instance '{}': interface '{}' has no IPv4 address (other than the VIPs) to send "
          "adverts from",
          instance.name, instance.interface));
    }
  }
}

// Order matters: instances leaving (and their trackers) go before their checks do and before
// the new configuration replaces the running one, checks change before the instances that
// follow them are re-evaluated, and new instances start last, with every check they track
// and their sync group in place.
void Daemon::apply(const conf::Config& next, const conf::ConfigDiff& diff,
                   Tracking::PreparedChecks prepared,
                   std::optional<checks::ScriptUser> hook_user) {
  log_->info("reloading {}", next.path);
  notifier_.reloading();
  for (const auto& d : diff.instances) {
    if (d.change != conf::Change::Removed && d.change != conf::Change::Restarted) continue;
    remove_instance(d.name);
    log_->info("instance {}: {}", d.name, d.change == conf::Change::Removed ? "removed" : "stopped for a restart");
  }
  // The instances that stay or start now see the new file (hooks, groups); the ones that
  // left stopped with the old one.
  const auto kept = config_.global;
  config_ = next;
  config_.global.control_socket = kept.control_socket;
  config_.global.state_dir = kept.state_dir;
  hooks_->reconfigure(std::move(hook_user));
  tracking_->apply(std::move(prepared));
  for (const auto& d : diff.instances) {
    if (d.change != conf::Change::Updated) continue;
    const auto& instance = instance_named(next, d.name);
    InstanceRunner& runner = *find_instance(d.name);
    const Link& link = *link_of(runner);
    runner.reconfigure(instance_settings(instance, link.info.name), election_config(instance, link));
    tracking_->follow(runner, instance.track);  // also brings a new configured priority
    log_->info("instance {}: updated in place: {}", d.name, fmt::join(d.details, "; "));
  }
  struct Fresh {
    const conf::InstanceDiff* diff;
    const conf::InstanceConfig* config;
    InstanceRunner* runner = nullptr;
  };
  std::vector<Fresh> fresh;
  for (const auto& d : diff.instances) {
    if (starts_anew(d.change)) fresh.push_back({&d, &instance_named(next, d.name)});
  }
  for (auto& f : fresh) f.runner = &add_instance(*f.config);
  sync_groups_.configure(next.groups, runners());  // before the new members start
  for (const auto& f : fresh) {
    start_instance(*f.runner, *f.config);
    log_->info("instance {}: {}", f.diff->name,
               f.diff->change == conf::Change::Added ? "added" : "restarted");
  }
  for (const auto& g : diff.global) log_->info("global: {}", g);
  for (const auto& g : diff.at_restart)
    log_->warn("global: {}: takes effect at the next restart, not by a reload", g);
  notifier_.ready();
}

void Daemon::reload_from_signal() {
  log_->info("SIGHUP: reloading {}", config_.path);
  const auto outcome = reload(false);
  if (!outcome.ok) {
    for (const auto& line : outcome.lines) log_->error("{}", line);
    log_->error("reload refused: still running the previous configuration");
    return;
  }
  if (!outcome.applied) log_->info("reload: nothing to change");
}

}  // namespace floatd

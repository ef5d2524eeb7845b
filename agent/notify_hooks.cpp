#include "agent/notify_hooks.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace floatd {
namespace {

// Hooks waiting behind the running one; beyond it the oldest are dropped (and logged), so a
// flapping instance cannot queue without bound. Generous: a change queues two hooks at most
// per instance and group.
constexpr std::size_t kMaxPendingHooks = 256;

bool has_hooks(const conf::Config& config) {
  return std::ranges::any_of(config.instances, [](const auto& i) { return !i.hooks.empty(); }) ||
         std::ranges::any_of(config.groups, [](const auto& g) { return !g.hooks.empty(); });
}

std::string vips_text(const std::vector<IpPrefix>& vips) {
  std::string out;
  for (const auto& vip : vips) out += (out.empty() ? "" : " ") + vip.to_string();
  return out;
}

}  // namespace

std::string hook_state_name(State state) {
  return state == State::Init ? "STOP" : std::string(to_string(state));
}

State group_state(const std::vector<State>& members) {
  const auto any = [&](State s) { return std::ranges::find(members, s) != members.end(); };
  const auto all = [&](State s) {
    return std::ranges::all_of(members, [&](State m) { return m == s; });
  };
  if (any(State::Fault)) return State::Fault;
  if (!members.empty() && all(State::Master)) return State::Master;
  if (all(State::Init)) return State::Init;
  return State::Backup;
}

std::vector<checks::Hook> hooks_for(const conf::HookConfig& hooks, const std::string& label,
                                    State to, std::vector<std::string> env) {
  std::vector<checks::Hook> out;
  const auto add = [&](const std::vector<std::string>& argv, std::string_view kind) {
    if (!argv.empty()) out.push_back({fmt::format("{} {}", label, kind), argv, env});
  };
  add(hooks.notify, "notify");
  switch (to) {
    case State::Master: add(hooks.on_master, "on_master"); break;
    case State::Backup: add(hooks.on_backup, "on_backup"); break;
    case State::Fault: add(hooks.on_fault, "on_fault"); break;
    case State::Init: add(hooks.on_stop, "on_stop"); break;
  }
  return out;
}

NotifyHooks::NotifyHooks(struct ev_loop* loop, const conf::Config& config)
    : config_(config),
      log_(subsystem_logger("floatd")),
      queue_(
          loop, has_hooks(config) ? checks::resolve_script_user(config.global.script_user)
                                  : std::nullopt,
          config.global.notify_timeout, kMaxPendingHooks,
          [this](const checks::Hook& hook, const checks::ProbeResult& result) {
            if (result.passed) {
              log_->debug("hook {}: {}", hook.label, checks::describe(result));
            } else {
              log_->warn("hook {} failed: {}", hook.label, checks::describe(result));
            }
          },
          [this](const checks::Hook& hook) {
            log_->warn("hook {} dropped: {} hooks waiting behind a slow one", hook.label,
                       kMaxPendingHooks);
          }) {}

void NotifyHooks::reconfigure(std::optional<checks::ScriptUser> user) {
  queue_.set_timeout(config_.global.notify_timeout);
  queue_.set_user(std::move(user));
}

std::optional<checks::ScriptUser> NotifyHooks::user_for(const conf::Config& config) {
  return has_hooks(config) ? checks::resolve_script_user(config.global.script_user)
                           : std::nullopt;
}

const conf::InstanceConfig* NotifyHooks::instance(const std::string& name) const {
  for (const auto& i : config_.instances) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

std::vector<std::string> NotifyHooks::hook_env(const StateChange& change, State state,
                                               State previous, const std::vector<IpPrefix>& vips) {
  return {
      "FLOATD_INSTANCE=" + change.instance,
      fmt::format("FLOATD_VRID={}", change.vrid),
      "FLOATD_STATE=" + hook_state_name(state),
      "FLOATD_PREV_STATE=" + hook_state_name(previous),
      fmt::format("FLOATD_PRIORITY={}", change.priority),
      "FLOATD_REASON=" + change.reason,
      "FLOATD_VIPS=" + vips_text(vips),
  };
}

void NotifyHooks::on_state_change(const StateChange& change) {
  states_[change.instance] = change.to;
  if (const auto* config = instance(change.instance)) {
    queue(hooks_for(config->hooks, change.instance, change.to,
                    hook_env(change, change.to, change.from, config->vips)));
  }
  for (const auto& group : config_.groups) {
    if (std::ranges::find(group.instances, change.instance) != group.instances.end()) {
      on_group_member_change(group, change);
    }
  }
}

void NotifyHooks::on_group_member_change(const conf::GroupConfig& group,
                                         const StateChange& change) {
  std::vector<State> members;
  std::vector<IpPrefix> vips;
  for (const auto& name : group.instances) {
    const auto found = states_.find(name);
    members.push_back(found == states_.end() ? State::Init : found->second);
    if (const auto* config = instance(name)) {
      vips.insert(vips.end(), config->vips.begin(), config->vips.end());
    }
  }
  const State now = group_state(members);
  const auto previous = group_states_.try_emplace(group.name, State::Init).first;
  const State before = previous->second;
  if (now == before) return;
  previous->second = now;
  auto env = hook_env(change, now, before, vips);
  env.push_back("FLOATD_GROUP=" + group.name);
  queue(hooks_for(group.hooks, "group " + group.name, now, std::move(env)));
}

void NotifyHooks::queue(std::vector<checks::Hook> hooks) {
  for (auto& hook : hooks) queue_.push(std::move(hook));
}

void NotifyHooks::drain(struct ev_loop* loop) {
  if (!queue_.running() && queue_.pending() == 0) return;
  log_->info("waiting up to {} ms for {} notify hook(s) to finish",
             std::chrono::duration_cast<std::chrono::milliseconds>(config_.global.notify_timeout)
                 .count(),
             queue_.pending() + (queue_.running() ? 1 : 0));
  const auto deadline = std::chrono::steady_clock::now() + config_.global.notify_timeout;
  while ((queue_.running() || queue_.pending() > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    ev_run(loop, EVRUN_ONCE);
  }
}

}  // namespace floatd

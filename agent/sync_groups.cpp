#include "agent/sync_groups.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace floatd {
namespace {

// FAULT for a reason of its own, not because its group holds it there.
std::optional<std::string> own_fault(const ElectionState& st) {
  if (!st.link_up) return std::string("link down");
  return st.health_fault;
}

}  // namespace

std::optional<std::string> group_fault_for(const std::string& group, const InstanceRunner& member,
                                           const std::vector<InstanceRunner*>& members) {
  for (const auto* other : members) {
    if (other == &member) continue;
    if (const auto why = own_fault(other->state())) {
      return fmt::format("sync group '{}': {} in FAULT ({})", group, other->name(), *why);
    }
  }
  return std::nullopt;
}

void SyncGroups::configure(std::vector<conf::GroupConfig> groups,
                           std::vector<InstanceRunner*> instances) {
  groups_ = std::move(groups);
  instances_ = std::move(instances);
  for (auto* runner : instances_) {
    runner->observe(
        [this](InstanceRunner& r, const ElectionState& before) { on_update(r, before); });
    if (!group_of(runner->name()) && runner->state().group_fault) runner->group_fault_changed({});
  }
  for (const auto& group : groups_) apply_faults(group);
}

void SyncGroups::forget(const InstanceRunner& runner) { std::erase(instances_, &runner); }

const conf::GroupConfig* SyncGroups::group_of(const std::string& instance) const {
  for (const auto& group : groups_) {
    if (std::ranges::find(group.instances, instance) != group.instances.end()) return &group;
  }
  return nullptr;
}

std::vector<InstanceRunner*> SyncGroups::members(const conf::GroupConfig& group) const {
  std::vector<InstanceRunner*> out;
  for (auto* runner : instances_) {
    if (std::ranges::find(group.instances, runner->name()) != group.instances.end())
      out.push_back(runner);
  }
  return out;
}

// May re-enter through the members it changes; every step moves a member towards the group's
// rule (MASTER -> BACKUP, a hold set or cleared once), so the recursion ends.
void SyncGroups::on_update(InstanceRunner& runner, const ElectionState& before) {
  const auto* group = group_of(runner.name());
  if (!group) return;
  const auto now = runner.state().state;
  // Holds first: a member that left for FAULT takes the others straight to FAULT, not
  // through BACKUP.
  apply_faults(*group);
  if (before.state == State::Master && now != State::Master && now != State::Init) {
    follow_leaving(runner, *group);
  } else if (before.state != State::Master && now == State::Master) {
    follow_joining(runner);
  }
}

void SyncGroups::follow_leaving(InstanceRunner& runner, const conf::GroupConfig& group) {
  const auto reason = fmt::format("sync group '{}': {} left MASTER ({})", group.name,
                                  runner.name(), runner.last_change().reason);
  for (auto* other : members(group)) {
    if (other != &runner && other->state().state == State::Master) other->resign(reason);
  }
}

void SyncGroups::follow_joining(InstanceRunner& runner) {
  for (auto* other : members(*group_of(runner.name()))) {
    if (other != &runner && other->state().resigned) other->lift_resign();
  }
}

void SyncGroups::apply_faults(const conf::GroupConfig& group) {
  const auto all = members(group);
  for (auto* member : all) {
    auto hold = group_fault_for(group.name, *member, all);
    if (hold != member->state().group_fault) member->group_fault_changed(std::move(hold));
  }
}

}  // namespace floatd

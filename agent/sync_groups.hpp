// Sync groups ([[group]]): instances that fail over as one unit.
//   - a member that leaves MASTER (to BACKUP or FAULT, not at shutdown) makes every other
//     member that is MASTER hand over too (a resign: priority-0 advert, then BACKUP without
//     preempting);
//   - a member that becomes MASTER lifts that resign from the others, so they preempt again
//     by the usual rules and the group comes back together;
//   - while a member is in FAULT of its own (link down, weight-0 tracker), every other member
//     is held in FAULT too, so none of them can become MASTER alone.
// Weighted trackers are not shared: give the members the same trackers (and every host the
// same priorities) so they are demoted together.
//
//   InstanceRunner --observe(runner, before)--> SyncGroups --resign / lift_resign /
//                                                            group_fault_changed--> other members
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "agent/instance_runner.hpp"
#include "conf/config.hpp"

namespace floatd {

class SyncGroups {
 public:
  // The groups to keep and the instances that run now (at start and after every reload).
  // Makes every instance observed by this object and re-evaluates the group FAULTs;
  // instances in no group are released from any.
  void configure(std::vector<conf::GroupConfig> groups, std::vector<InstanceRunner*> instances);

  // The instance is going away (a reload removed it).
  void forget(const InstanceRunner& runner);

  // The group an instance belongs to, or null.
  const conf::GroupConfig* group_of(const std::string& instance) const;

 private:
  void on_update(InstanceRunner& runner, const ElectionState& before);
  void follow_leaving(InstanceRunner& runner, const conf::GroupConfig& group);
  void follow_joining(InstanceRunner& runner);
  void apply_faults(const conf::GroupConfig& group);
  std::vector<InstanceRunner*> members(const conf::GroupConfig& group) const;

  std::vector<conf::GroupConfig> groups_;
  std::vector<InstanceRunner*> instances_;
};

// Why a member must be held in FAULT: the first other member in FAULT of its own (link
// down, weight-0 tracker), "sync group 'lb': db in FAULT (link down)"; nullopt if none.
// Pure, for tests. A member's own FAULT never counts the group's hold, so holds never
// sustain each other.
std::optional<std::string> group_fault_for(const std::string& group, const InstanceRunner& member,
                                           const std::vector<InstanceRunner*>& members);

}  // namespace floatd

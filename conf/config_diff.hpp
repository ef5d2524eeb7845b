// What a reload would change: the running Config against the new one, instance by instance
// (matched by name) and check by check. Pure: the daemon applies the result
// (agent/daemon_reload.cpp), `floatd --check --plan` and `floatctl reload --plan` print it.
//
// How each difference is applied, and why:
//   - priority (except to or from 255), VIPs, advert_interval, preempt, preempt_delay, track,
//     garp_*, notify hooks: updated in place; the protocol allows it without leaving MASTER.
//   - interface, vrid, or priority to or from 255 (the address owner has other rules):
//     restarted, i.e. removed (resigns if MASTER) and added again.
//   - a check whose definition changed keeps its current health, so a reload that only
//     edits a command does not flap the instances tracking it.
//   - global.control_socket and global.state_dir: only at the next start (the socket is
//     in use; the maintenance flag was read at start-up); the plan says so.
#pragma once
#include <string>
#include <vector>

#include "conf/config.hpp"

namespace floatd::conf {

enum class Change { Unchanged, Updated, Restarted, Removed, Added };
std::string_view to_string(Change change);  // "unchanged", "updated in place", ...

struct InstanceDiff {
  std::string name;
  Change change = Change::Unchanged;
  std::vector<std::string> details;  // "priority 100 -> 120", "vips +192.0.2.7/24"
};

struct CheckDiff {
  std::string name;
  Change change = Change::Unchanged;  // never Restarted: a changed check is Updated
  std::vector<std::string> details;
};

// Sync groups are consulted at each state change, so a reload applies them by replacing the
// configuration; the diff is for the plan.
struct GroupDiff {
  std::string name;
  Change change = Change::Unchanged;  // never Restarted
  std::vector<std::string> details;
};

struct ConfigDiff {
  std::vector<InstanceDiff> instances;  // the new file's order, then the removed ones
  std::vector<CheckDiff> checks;        // likewise
  std::vector<GroupDiff> groups;        // likewise
  std::vector<std::string> global;      // applied: "router_id 'lb1' -> 'lb2'"
  std::vector<std::string> at_restart;  // not applied by a reload: "control_socket ..."

  // True when a reload would change nothing at all.
  bool empty() const;
};

ConfigDiff diff_configs(const Config& running, const Config& next);

// The plan as lines an operator reads, one per instance and check, then the global ones:
//   "instance web: unchanged"
//   "instance db: updated in place: priority 100 -> 120; vips +192.0.2.7/24 -192.0.2.6/24"
std::vector<std::string> format_plan(const ConfigDiff& diff);

}  // namespace floatd::conf

// Least privilege: once floatd has opened what needs more (the control socket, raw VRRP
// sockets, netlink, the state directory), it keeps only what it needs while it runs:
//   CAP_NET_ADMIN, CAP_NET_RAW  VIPs, macvlan links, raw sockets, GARP (a reload may add
//                               instances and interfaces at any time)
//   CAP_SETUID, CAP_SETGID      when floatd is root, and so may have to switch to the script
//                               user: checks and notify hooks run as script_user (setgroups,
//                               setgid, setuid after fork), a timed-out check is killed with
//                               that user's euid. Kept whether or not a script is configured
//                               now: a reload or a hitless restart may add one at any time.
// in its effective and permitted sets, and cuts the bounding set to the same, so nothing it
// executes later (scripts, the setuid programs they might run, the new floatd of a hitless
// restart: root after execve gets exactly the bounding set) gets more. No inheritable or
// ambient capabilities (except that a non-root floatd keeps the needed ones it holds as
// ambient: they are how it gets them back across the hitless restart's execve), and
// PR_SET_NO_NEW_PRIVS, as NoNewPrivileges=yes in the unit.
//
// The bounding set can only shrink with CAP_SETPCAP: without it (under the packaged unit,
// whose CapabilityBoundingSet= already holds just these four) it is left as it is, no error.
// Under the unit all of this changes nothing.
//
// Two steps, both idempotent (floatd_main):
//   limit_exec()  before the Daemon is built: bounding set, inheritable, ambient, no new
//                 privileges. Only what a later execve can gain; the process keeps its own
//                 power, but a notify hook started from the Daemon's constructor is bounded.
//   drop()        once the Daemon has opened everything: effective and permitted.
#pragma once
#include <cstdint>
#include <string>

namespace floatd::privileges {

// Bit N is capability N (<linux/capability.h>).
using CapSet = std::uint64_t;
constexpr CapSet cap_bit(int capability) { return CapSet{1} << capability; }

// A process's capability state (/proc/PID/status: CapEff, CapPrm, CapInh, CapBnd, CapAmb,
// NoNewPrivs).
struct CapSets {
  CapSet effective = 0;
  CapSet permitted = 0;
  CapSet inheritable = 0;
  CapSet bounding = 0;
  CapSet ambient = 0;
  bool no_new_privs = false;
  bool operator==(const CapSets&) const = default;
};

// ---- pure

// What floatd needs while it runs. `root`: its effective uid is 0, so scripts switch to the
// script user (the rule of checks::resolve_script_user).
CapSet needed(bool root);

// What to change, from `now`.
struct Plan {
  bool root = false;
  CapSet keep = 0;           // the new effective and permitted sets: needed & now.permitted
  CapSet inheritable = 0;    // the new inheritable set
  CapSet ambient = 0;        // the new ambient set
  CapSet bounding_drop = 0;   // to drop from the bounding set (0 without CAP_SETPCAP)
  CapSet bounding_extra = 0;  // beyond `needed` in the bounding set, kept: no CAP_SETPCAP
};
Plan make_plan(const CapSets& now, bool root);

// The sets once both steps have been applied to `now` (what /proc then shows).
CapSets expected(const CapSets& now, const Plan& plan);

// "CAP_NET_ADMIN CAP_NET_RAW" (ascending numbers), "none" for the empty set.
std::string names(CapSet set);

// The one log line: "kept CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW (effective,
// permitted, bounding); nothing inheritable or ambient; no new privileges"
std::string summary(const CapSets& after, const Plan& plan);

// ---- the process (raw capget/capset and prctl). Each returns "" or what failed; nothing
// is called when nothing would change (so under the packaged unit, no call at all).

CapSets read_current();  // throws std::system_error when capget fails
std::string limit_exec(const Plan& plan);
std::string drop(const Plan& plan);

}  // namespace floatd::privileges

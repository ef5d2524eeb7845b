// Trackers -> effective priority and FAULT, with the reason (pure arithmetic, no I/O).
//
// Semantics, exactly keepalived's for track_script / track_interface / track_file:
//   - weight 0: FAULT while the subject fails (a file: while its value is non-zero);
//   - negative weight: added while the subject FAILS (it lowers the priority);
//   - positive weight: added while the subject SUCCEEDS (a healthy host outbids the others),
//     so a failing check with a positive weight simply loses its bonus;
//   - a file's value is multiplied by its weight, whatever its sign (absent file: value 0).
// The result is clamped to 1..254: 0 would mean "resigning" on the wire and 255 is reserved
// for the address owner. An owner (base 255) keeps 255 whatever the weights say, as the RFC
// gives it the VIP unconditionally; weight-0 trackers can still put it in FAULT.
// Weights are expected in -254..254 (validated by the configuration) and file values fit
// in an int, so the sum in int64 cannot overflow.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <variant>

namespace floatd::checks {

// A subject that is either healthy or not: a check, an interface.
struct StatusTracker {
  std::string subject;  // named in the reason: "check 'web'", "interface eth1"
  int weight = 0;
  bool failing = true;  // a check whose Health is still Unknown counts as failing
};

// A file holding an integer.
struct ValueTracker {
  std::string subject;  // "file /run/floatd/demote"
  int weight = 0;
  int value = 0;
};

using Tracker = std::variant<StatusTracker, ValueTracker>;

struct EffectivePriority {
  std::uint8_t priority = 0;  // 1..254, or 255 for an owner
  bool fault = false;
  // What contributed, in tracker order: "check 'web' failing (-100), file /x = 2 (-2)";
  // empty when nothing did.
  std::string reason;

  bool operator==(const EffectivePriority&) const = default;
};

EffectivePriority effective_priority(std::uint8_t base, std::span<const Tracker> trackers);

}  // namespace floatd::checks

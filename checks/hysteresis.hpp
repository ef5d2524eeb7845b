// Rise/fall hysteresis for one health check: a check turns passing after `rise` consecutive
// successes and failing after `fall` consecutive failures, so one flaky run never moves a VIP.
//
// The initial state is Unknown, and Unknown counts as failing everywhere it matters
// (trackers, effective priority). Why not start passing: a host that boots with a broken
// service would claim (or preempt) the VIP before its first check ran. Why not pretend a
// history of failures either: we keep Unknown distinct so logs say "not yet passed" rather
// than invent a failure. Leaving Unknown is asymmetric on purpose:
//   - the first failure settles Failing at once: it is conclusive evidence and changes no
//     priority (Unknown already counted as failing), only the reason becomes precise;
//   - Passing needs `rise` successes in a row, exactly as when recovering from Failing, so
//     a flapping service cannot preempt a healthy master on one lucky run after a reboot.
// The cost is that a healthy host becomes eligible only after rise x interval; while a peer
// holds the VIP that costs nothing, and on a cold start of the whole cluster it delays the
// first MASTER by that much.
#pragma once
#include <string_view>

namespace floatd::checks {

enum class Health { Unknown, Passing, Failing };
std::string_view to_string(Health health);

class Hysteresis {
 public:
  // rise and fall are >= 1 (std::invalid_argument otherwise: a configuration error).
  // `initial` other than Unknown continues a check whose definition was reloaded: it keeps
  // its verdict, and the next flip still needs a full rise or fall streak.
  Hysteresis(int rise, int fall, Health initial = Health::Unknown);

  // Feeds one run's outcome; true when the state changed.
  bool record(bool success);

  Health health() const { return health_; }
  bool passing() const { return health_ == Health::Passing; }

 private:
  int rise_;
  int fall_;
  Health health_ = Health::Unknown;
  int successes_ = 0;  // in a row, saturating at rise_
  int failures_ = 0;   // in a row, saturating at fall_
};

}  // namespace floatd::checks

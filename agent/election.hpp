// The VRRP election (RFC 5798 section 6.4, as updated by RFC 9568) as a pure state machine:
//
//     step(config, state, event, now) -> (state', actions)
//
// It never touches a socket, netlink, a clock or a global; "now" is a parameter and the
// effects are returned as data for the runtime (agent/instance_runner) to execute.
// Timer names follow the RFC: the Adver_Timer runs in MASTER, the Master_Down_Timer in BACKUP.
// Only one of them is ever armed, so the runtime keeps a single timer per instance.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/ip_address.hpp"
#include "agent/time.hpp"

namespace floatd {

enum class State : std::uint8_t { Init, Backup, Master, Fault };
std::string_view to_string(State state);

inline constexpr std::uint8_t kOwnerPriority = 255;   // the address owner (RFC 5798 6.1)
inline constexpr std::uint8_t kResignPriority = 0;    // "I am leaving" (RFC 5798 6.4.3)

struct ElectionConfig {
  std::uint8_t vrid = 0;
  std::uint8_t priority = 100;
  Duration advert_interval = std::chrono::seconds(1);
  bool preempt = true;
  // Not in the RFC (keepalived and routers offer it): a backup that would preempt a
  // lower-priority master first lets that master stay for this long, so a host that just
  // rebooted does not grab the VIP before its services are warm.
  Duration preempt_delay{0};
  IpAddress primary_address;  // our advert source; decides ties (RFC 5798 6.4.3)
};

namespace event {
struct Startup {};  // leave INIT
// Leave INIT after a hitless restart (agent/handoff.hpp) of a MASTER whose VIPs are still on
// the interface: MASTER again at once, unless it can no longer be (FAULT, maintenance),
// in which case the VIPs go first.
struct Resume {};
struct AdvertReceived {
  IpAddress source;
  std::uint8_t priority = 0;
  Duration max_advert_interval{0};
};
enum class Timer : std::uint8_t { Adver, MasterDown };
struct TimerExpired {
  Timer timer;
};
struct LinkDown {};
struct LinkUp {};
struct Shutdown {};
// The VIPs are handed over (floatctl resign, or a sync group member left MASTER): as on
// shutdown, a priority-0 advert lets a backup take over after its skew time; we stay BACKUP
// and do not preempt the new master until ResignLifted or we are MASTER again.
struct Resign {
  std::string reason = "resigned by the operator";
};
// A sync group member became MASTER: a member that resigned with the group may preempt again.
struct ResignLifted {};
// A sync group holds this instance in FAULT while another member is in FAULT of its own
// (nullopt: no longer). A third FAULT condition, next to the link and weight-0 trackers.
struct GroupFault {
  std::optional<std::string> reason;
};
// Someone else deleted a VIP of this MASTER and on_vip_removed = "fault": hand over and stay
// in FAULT for one master down interval, so a backup takes the VIPs and we do not grab them
// straight back.
struct VipsLost {
  std::string reason;
};
// floatctl maintenance on|off: hand over if MASTER and stay out of MASTER until off.
struct Maintenance {
  bool on = false;
};
// Weight-0 trackers: unhealthy means FAULT (like a link down) until healthy again.
struct HealthChanged {
  bool healthy = true;
  std::string reason;
};
// Weighted trackers moved the effective priority (1..254; the owner keeps 255).
struct PriorityChanged {
  std::uint8_t priority = 0;
  std::string reason;
};
}  // namespace event

using Event = std::variant<event::Startup, event::Resume, event::AdvertReceived, event::TimerExpired,
                           event::LinkDown, event::LinkUp, event::Shutdown, event::Resign,
                           event::ResignLifted, event::HealthChanged, event::PriorityChanged,
                           event::Maintenance, event::GroupFault, event::VipsLost>;

namespace action {
struct SendAdvert {
  std::uint8_t priority = 0;
};
struct ArmTimer {  // replaces whatever timer was armed
  event::Timer timer;
  TimePoint at;
};
struct StopTimer {};
struct AddVips {};
struct RemoveVips {};
struct Announce {};  // gratuitous ARP for every VIP
struct Transition {  // logged exactly once by the runtime
  State from;
  State to;
  std::string reason;
  std::optional<IpAddress> peer;  // the speaker that caused it, where there is one
};
}  // namespace action

using Action = std::variant<action::SendAdvert, action::ArmTimer, action::StopTimer,
                            action::AddVips, action::RemoveVips, action::Announce,
                            action::Transition>;

// Another speaker of this VRID, as last heard (for the fast handover on demotion).
struct PeerHeard {
  IpAddress address;
  std::uint8_t priority = 0;
  TimePoint at;
  bool operator==(const PeerHeard&) const = default;
};

struct ElectionState {
  State state = State::Init;
  // The FAULT conditions; the instance runs only while the link is up, it is healthy and its
  // sync group does not hold it in FAULT.
  bool link_up = true;
  std::optional<std::string> health_fault;  // why the weight-0 trackers say unhealthy
  std::optional<std::string> group_fault;   // why the sync group holds it in FAULT
  std::optional<std::string> vips_lost;     // VipsLost, until its Master_Down_Timer runs out
  std::uint8_t priority = 100;           // the priority we advertise and compare
  Duration master_adver_interval{0};     // learned from the master's adverts (BACKUP)
  std::optional<IpAddress> master_address;  // the last master heard (BACKUP)
  std::uint8_t master_priority = 0;
  // When a lower-priority master was first tolerated because of preempt_delay.
  std::optional<TimePoint> lower_master_since;
  // Set by Resign: no preemption until we are MASTER again or ResignLifted (a one-time
  // handover).
  bool resigned = false;
  std::optional<PeerHeard> last_peer;
  // Maintenance: never MASTER, never preempts; survives restarts (the runtime persists it).
  bool maintenance = false;
  // When a MASTER last re-announced its VIPs because a lower speaker claimed to be master.
  std::optional<TimePoint> last_reannounce;

  bool operator==(const ElectionState&) const = default;
};

struct StepResult {
  ElectionState state;
  std::vector<Action> actions;
};

ElectionState initial_state(const ElectionConfig& config);
StepResult step(const ElectionConfig& config, const ElectionState& state, const Event& event,
                TimePoint now);

// RFC 9568 section 6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256.
Duration skew_time(std::uint8_t priority, Duration master_adver_interval);
// RFC 9568 section 6.1: Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time.
Duration master_down_interval(std::uint8_t priority, Duration master_adver_interval);

}  // namespace floatd

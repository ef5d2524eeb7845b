// Drives one virtual router: feeds events into the pure election (agent/election) and
// executes the actions it returns through the ports (agent/ports.hpp), with libev timers
// for the RFC timers and the gratuitous-ARP burst.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ev.h>

#include "agent/advert.hpp"
#include "agent/election.hpp"
#include "agent/instance_counters.hpp"
#include "agent/ports.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

class StateChangeLog;

struct InstanceSettings {
  std::string name;
  std::string interface;
  std::vector<IpPrefix> vips;
  int garp_count = 3;  // rounds in the burst on becoming MASTER
  Duration garp_interval = std::chrono::milliseconds(100);
  Duration garp_refresh{0};  // 0: no periodic refresh while MASTER
  // A VIP someone else deletes while MASTER: put it back (true) or hand over (VipsLost).
  bool restore_removed_vips = true;
  // One more round this long after the burst started (0: none). Linux ignores an ARP that
  // would change a neighbour entry updated less than `locktime` (1 s) ago, e.g. by the
  // other side of a split brain; this round lands after that.
  Duration garp_repeat = std::chrono::seconds(2);
  // The IPv4 checksum variant of our adverts; nullopt ("auto"): the one the last speaker we
  // heard used (keepalived and FRR include the pseudo-header, RFC 9568 does not), the
  // pseudo-header until we hear one.
  std::optional<packet::ChecksumVariant> checksum;
};

struct InstancePorts {
  AdvertSocket& socket;
  AddressManager& addresses;
  Announcer& announcer;
};

class InstanceRunner {
 public:
  InstanceRunner(struct ev_loop* loop, InstanceSettings settings, ElectionConfig election,
                 InstancePorts ports, StateChangeLog& state_log);
  ~InstanceRunner();
  InstanceRunner(const InstanceRunner&) = delete;
  InstanceRunner& operator=(const InstanceRunner&) = delete;

  // Leaves INIT. VIPs of ours already on the interface (a previous run that crashed) are
  // removed first, unless we are the address owner, so a restarted node never holds the VIP
  // next to the current master.
  void start(bool link_up, const std::vector<IpPrefix>& addresses_on_link);
  // Leaves INIT after a hitless restart of a MASTER (agent/handoff.hpp): its VIPs are ours,
  // and it is MASTER again at once if it still can be.
  void resume(bool link_up);
  void restore_counters(const InstanceCounters& counters) { counters_ = counters; }
  // Before a hitless restart: a last advert, so backups wait a full Master_Down_Interval
  // for the new process; then quiet, VIPs left in place.
  void freeze();
  void advert_received(const IpAddress& source, const Advert& advert,
                       packet::ChecksumVariant checksum = packet::ChecksumVariant::PseudoHeader);
  void link_changed(bool up);
  void shutdown();  // graceful: priority-0 advert and VIPs removed when MASTER
  // One-time handover when MASTER (floatctl resign, a sync group member left MASTER).
  void resign(std::string reason = "resigned by the operator");
  // From the sync group (agent/sync_groups): preempt again after a group resign; FAULT while
  // another member is in FAULT (nullopt: no longer).
  void lift_resign();
  void group_fault_changed(std::optional<std::string> reason);
  // Called after every event that changed the state or a FAULT condition, with the state
  // before it (the sync groups follow their members this way). One observer; may re-enter
  // this or another runner.
  using Observer = std::function<void(InstanceRunner& runner, const ElectionState& before)>;
  void observe(Observer observer) { observer_ = std::move(observer); }
  // From the trackers (agent/tracking): weight-0 health and the effective priority.
  void health_changed(bool healthy, const std::string& reason);
  void priority_changed(std::uint8_t priority, const std::string& reason);
  void set_maintenance(bool on);  // floatctl maintenance on|off
  // An address left the instance's interface (netlink). Only a VIP of a MASTER matters: it
  // was not us who removed it (we leave MASTER first, or drop it from the settings first).
  void address_removed(const IpPrefix& prefix);
  // Reload of an instance on the same interface and VRID (see conf/config_diff.hpp). A MASTER
  // adds and announces new VIPs and removes dropped ones at once, and advertises the new set;
  // timers use the new interval from their next arming. A new configured priority reaches
  // the election through the trackers (Tracking::follow), like any effective priority.
  void reconfigure(InstanceSettings settings, ElectionConfig election);

  const std::string& name() const { return settings_.name; }
  std::uint8_t vrid() const { return election_.vrid; }
  const ElectionState& state() const { return state_; }
  const InstanceSettings& settings() const { return settings_; }
  std::uint8_t configured_priority() const { return election_.priority; }

  struct LastChange {
    std::chrono::system_clock::time_point at;  // wall clock, for operators
    std::string reason;
  };
  const LastChange& last_change() const { return last_change_; }

  const InstanceCounters& counters() const { return counters_; }
  // "" unless a MASTER's Adver_Timer has stalled: no advert attempted for 3 intervals
  // (plus 1 s of slack for a busy machine). For the systemd watchdog.
  std::string advert_health(TimePoint now) const;

 private:
  void dispatch(const Event& event);
  void execute(const Action& action);
  void send_advert(std::uint8_t priority);
  void add_vips();
  void remove_vips();
  void start_announcements();
  void announce_round();
  void schedule_announcement();
  void arm_timer(TimePoint at);
  static void on_timer(struct ev_loop* loop, ev_timer* watcher, int revents);
  static void on_garp_timer(struct ev_loop* loop, ev_timer* watcher, int revents);

  struct ev_loop* loop_;
  InstanceSettings settings_;
  ElectionConfig election_;
  InstancePorts ports_;
  StateChangeLog& state_log_;
  std::shared_ptr<spdlog::logger> log_;
  ElectionState state_;
  Observer observer_;
  event::Timer armed_timer_ = event::Timer::MasterDown;
  ev_timer timer_{};
  ev_timer garp_timer_{};
  LastChange last_change_;
  InstanceCounters counters_;
  int garp_rounds_left_ = 0;
  std::optional<TimePoint> garp_repeat_at_;  // the pending late round
  packet::ChecksumVariant peer_checksum_ = packet::ChecksumVariant::PseudoHeader;  // auto
  bool send_failing_ = false;  // log a failing send once, not at every advert
  TimePoint last_advert_attempt_{};
};

}  // namespace floatd

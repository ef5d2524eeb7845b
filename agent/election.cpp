#include "agent/election.hpp"

#include <fmt/format.h>

#include "agent/overloaded.hpp"

namespace floatd {
namespace {

using namespace std::chrono;

std::string ms_text(Duration d) { return fmt::format("{}ms", duration_cast<milliseconds>(d).count()); }

// Accumulates the outcome of one step. change_state() is the only place a state changes.
class Step {
 public:
  Step(const ElectionConfig& config, const ElectionState& state, TimePoint now)
      : config_(config), now_(now), result_{state, {}} {}

  ElectionState& state() { return result_.state; }
  const ElectionConfig& config() const { return config_; }
  TimePoint now() const { return now_; }
  void emit(Action a) { result_.actions.push_back(std::move(a)); }
  StepResult finish() && { return std::move(result_); }

  void change_state(State to, std::string reason, std::optional<IpAddress> peer = std::nullopt) {
    emit(action::Transition{result_.state.state, to, std::move(reason), peer});
    result_.state.state = to;
  }

  void arm(event::Timer timer, Duration after) { emit(action::ArmTimer{timer, now_ + after}); }

  void send_advert() { emit(action::SendAdvert{result_.state.priority}); }

  Duration own_master_down_interval() {
    return master_down_interval(result_.state.priority, result_.state.master_adver_interval);
  }

  // RFC 5798 6.4.1 / 6.4.2: transition to MASTER.
  void become_master(std::string reason, std::optional<IpAddress> peer = std::nullopt) {
    change_state(State::Master, std::move(reason), peer);
    state().resigned = false;
    state().master_address.reset();
    state().lower_master_since.reset();
    emit(action::AddVips{});
    send_advert();
    emit(action::Announce{});
    arm(event::Timer::Adver, config_.advert_interval);
  }

  // RFC 5798 6.4.3 (shutdown): a priority-0 advert lets backups take over after Skew_Time.
  void hand_over() {
    emit(action::StopTimer{});
    emit(action::SendAdvert{kResignPriority});
    emit(action::RemoveVips{});
  }

  // RFC 5798 6.4.1: transition to BACKUP, waiting a Master_Down_Interval of our own interval.
  void become_backup(std::string reason) {
    change_state(State::Backup, std::move(reason));
    state().master_adver_interval = config_.advert_interval;
    state().master_address.reset();
    state().lower_master_since.reset();
    arm(event::Timer::MasterDown, own_master_down_interval());
  }

  // RFC 5798 6.4.1: the address owner goes straight to MASTER, everyone else to BACKUP.
  void start(std::string_view why) {
    if (state().priority == kOwnerPriority && !state().maintenance) {
      become_master(fmt::format("{}; priority 255: address owner", why));
    } else {
      become_backup(fmt::format("{}; waiting {} for a master", why,
                                ms_text(master_down_interval(state().priority,
                                                             config_.advert_interval))));
    }
  }

 private:
  const ElectionConfig& config_;
  TimePoint now_;
  StepResult result_;
};


// Why the instance cannot take part in the election now, if it cannot.
std::optional<std::string> fault_reason(const ElectionState& st) {
  if (!st.link_up) return std::string("link down");
  if (st.health_fault) return st.health_fault;
  if (st.group_fault) return st.group_fault;
  return st.vips_lost;
}

// After a FAULT condition changed (link, weight-0 trackers): enter or leave FAULT.
void apply_fault_conditions(Step& s, std::string_view why_changed) {
  const auto fault = fault_reason(s.state());
  switch (s.state().state) {
    case State::Init: return;  // Startup decides
    case State::Fault:
      if (!fault) s.start(why_changed);
      return;
    case State::Backup:
      if (!fault) return;
      s.emit(action::StopTimer{});
      s.change_state(State::Fault, *fault);
      return;
    case State::Master:
      if (!fault) return;
      if (s.state().link_up) {
        s.hand_over();  // the link still carries a priority-0 advert: backups wait only skew
      } else {
        s.emit(action::StopTimer{});
        s.emit(action::RemoveVips{});
      }
      s.change_state(State::Fault, *fault);
      return;
  }
}

// Demoted below a peer heard within a master down interval: hand over at once (priority-0
// advert) instead of advertising the lower priority until that peer's timer preempts us.
bool demoted_below_recent_peer(Step& s) {
  const auto& st = s.state();
  if (!st.last_peer || st.last_peer->priority == kResignPriority) return false;
  const auto window = master_down_interval(st.priority, s.config().advert_interval);
  if (s.now() - st.last_peer->at > window) return false;
  const auto& peer = *st.last_peer;
  return peer.priority > st.priority ||
         (peer.priority == st.priority && peer.address > s.config().primary_address);
}

void on_priority(Step& s, const event::PriorityChanged& p) {
  auto& st = s.state();
  const auto old = st.priority;
  if (p.priority == old) return;
  st.priority = p.priority;
  if (st.state != State::Master) return;  // compared at the next advert
  if (p.priority < old && demoted_below_recent_peer(s)) {
    s.hand_over();
    s.change_state(State::Backup,
                   fmt::format("demoted {} -> {} ({}) below peer {} (priority {})", old, p.priority,
                               p.reason, st.last_peer->address.to_string(), st.last_peer->priority),
                   st.last_peer->address);
    st.master_address.reset();
    st.master_adver_interval = s.config().advert_interval;
    s.arm(event::Timer::MasterDown, s.own_master_down_interval());
    return;
  }
  s.send_advert();  // backups learn the new priority now, not at the next Adver_Timer
  s.arm(event::Timer::Adver, s.config().advert_interval);
}

void on_maintenance(Step& s, bool on) {
  auto& st = s.state();
  if (st.maintenance == on) return;
  st.maintenance = on;
  if (on && st.state == State::Master) {
    s.hand_over();
    s.change_state(State::Backup, "maintenance on: handing over");
    st.master_address.reset();
    st.master_adver_interval = s.config().advert_interval;
    s.arm(event::Timer::MasterDown, s.own_master_down_interval());
  }
  // Off: a BACKUP's running Master_Down_Timer decides again, as after any advert.
}

// Events that mean the same in every state: the FAULT conditions and the priority.
// Returns false for the events the per-state handlers take.
bool on_common(Step& s, const Event& e) {
  auto& st = s.state();
  return std::visit(
      Overloaded{
          [&](const event::LinkDown&) {
            st.link_up = false;
            apply_fault_conditions(s, "link down");
            return true;
          },
          [&](const event::LinkUp&) {
            st.link_up = true;
            apply_fault_conditions(s, "link up");
            return true;
          },
          [&](const event::HealthChanged& h) {
            if (h.healthy) {
              st.health_fault.reset();
            } else {
              st.health_fault = h.reason;
            }
            apply_fault_conditions(s, h.reason);
            return true;
          },
          [&](const event::GroupFault& g) {
            st.group_fault = g.reason;
            apply_fault_conditions(s, g.reason.value_or("sync group healthy"));
            return true;
          },
          [&](const event::ResignLifted&) {
            st.resigned = false;  // a BACKUP preempts again by the usual rules
            return true;
          },
          [&](const event::PriorityChanged& p) {
            on_priority(s, p);
            return true;
          },
          [&](const event::Maintenance& m) {
            on_maintenance(s, m.on);
            return true;
          },
          [](const auto&) { return false; },
      },
      e);
}

void on_init(Step& s, const Event& e) {
  std::visit(Overloaded{
                 [&](const event::Startup&) {
                   if (const auto fault = fault_reason(s.state())) {
                     s.change_state(State::Fault, *fault + " at start");
                   } else {
                     s.start("started");
                   }
                 },
                 [&](const event::Resume&) {
                   const auto fault = fault_reason(s.state());
                   if (!fault && !s.state().maintenance) {
                     s.become_master("resumed after a hitless restart");
                     return;
                   }
                   s.emit(action::RemoveVips{});
                   if (fault) {
                     s.change_state(State::Fault, *fault + " at resume");
                   } else {
                     s.start("resumed in maintenance");
                   }
                 },
                 [](const auto&) { /* INIT ignores adverts, timers, Shutdown, Resign */ },
             },
             e);
}

void on_fault(Step& s, const Event& e) {
  std::visit(Overloaded{
                 [&](const event::Shutdown&) { s.change_state(State::Init, "shutdown"); },
                 [&](const event::TimerExpired& t) {
                   // The hold-down of VipsLost is over (no other timer runs in FAULT).
                   if (t.timer != event::Timer::MasterDown || !s.state().vips_lost) return;
                   s.state().vips_lost.reset();
                   apply_fault_conditions(s, "VIP hold-down over");
                 },
                 [](const auto&) { /* no election in FAULT; nothing to resign */ },
             },
             e);
}

std::string master_down_reason(const ElectionState& st, Duration waited) {
  if (!st.master_address) return fmt::format("no master heard for {}", ms_text(waited));
  if (st.master_priority == kResignPriority) {
    return fmt::format("master {} resigned (priority 0); waited skew time",
                       st.master_address->to_string());
  }
  if (st.master_priority < st.priority) {
    return fmt::format("preempting lower-priority master {} ({} < {})",
                       st.master_address->to_string(), st.master_priority, st.priority);
  }
  return fmt::format("no advert from master {} (priority {}) for {}",
                     st.master_address->to_string(), st.master_priority, ms_text(waited));
}

// RFC 5798 6.4.2, with preempt_delay folded into the "discard" branch.
void remember_peer(Step& s, const event::AdvertReceived& a) {
  if (a.priority != kResignPriority) s.state().last_peer = PeerHeard{a.source, a.priority, s.now()};
}

// The master we deferred to now advertises a priority below ours: it was demoted (a tracker).
bool master_demoted_below_us(const ElectionState& before, const event::AdvertReceived& a) {
  return before.master_address == a.source && before.master_priority >= before.priority &&
         a.priority < before.priority;
}

void backup_on_advert(Step& s, const event::AdvertReceived& a) {
  auto& st = s.state();
  const bool demoted = master_demoted_below_us(st, a);
  remember_peer(s, a);
  st.master_address = a.source;
  st.master_priority = a.priority;
  if (a.priority == kResignPriority) {
    s.arm(event::Timer::MasterDown, skew_time(st.priority, st.master_adver_interval));
    return;
  }
  const bool lower = a.priority < st.priority;
  if (lower && s.config().preempt && !st.resigned && !st.maintenance) {
    if (s.config().preempt_delay.count() == 0) {
      // RFC: discard, and the Master_Down_Timer runs out. Not for a master just demoted below
      // us: it may not know we are here to hand over to (backups are silent), so we take over
      // after our skew time, as if it had resigned.
      if (demoted) s.arm(event::Timer::MasterDown, skew_time(st.priority, st.master_adver_interval));
      return;
    }
    if (!st.lower_master_since) st.lower_master_since = s.now();
    if (s.now() - *st.lower_master_since >= s.config().preempt_delay) return;  // delay over
  } else {
    st.lower_master_since.reset();
  }
  st.master_adver_interval = a.max_advert_interval;
  s.arm(event::Timer::MasterDown, s.own_master_down_interval());
}

void on_backup(Step& s, const Event& e) {
  std::visit(
      Overloaded{
          [&](const event::AdvertReceived& a) { backup_on_advert(s, a); },
          [&](const event::TimerExpired& t) {
            if (t.timer != event::Timer::MasterDown) return;  // stale Adver_Timer: ignore
            if (s.state().maintenance) {  // no master around, and we may not be one: wait on
              s.arm(event::Timer::MasterDown, s.own_master_down_interval());
              return;
            }
            const auto waited = s.state().master_priority == kResignPriority && s.state().master_address
                                    ? skew_time(s.state().priority, s.state().master_adver_interval)
                                    : s.own_master_down_interval();
            s.become_master(master_down_reason(s.state(), waited), s.state().master_address);
          },
          [&](const event::Shutdown&) {
            s.emit(action::StopTimer{});
            s.change_state(State::Init, "shutdown");
          },
          [](const auto&) { /* Startup, Resume, Resign (not MASTER): nothing to do */ },
      },
      e);
}

// RFC 5798 6.4.3: does this advert come from a better master than us?
bool outranks_us(const Step& s, const event::AdvertReceived& a, const ElectionState& st) {
  if (a.priority != st.priority) return a.priority > st.priority;
  return a.source > s.config().primary_address;
}

void master_on_advert(Step& s, const event::AdvertReceived& a) {
  auto& st = s.state();
  remember_peer(s, a);
  if (a.priority == kResignPriority || !outranks_us(s, a, st)) {
    // A resigning peer, or RFC 9568: a lower-priority (or lower-address) speaker thinks it is
    // master; assert ourselves at once instead of waiting for the Adver_Timer.
    s.send_advert();
    s.arm(event::Timer::Adver, s.config().advert_interval);
    // That speaker may have claimed the VIPs and announced them (a healed partition, a backup
    // that missed our adverts): announce them again so the segment comes back to us. Our
    // state never changes here, so nothing else would. At most once per advert interval.
    const bool claims_master = a.priority != kResignPriority;
    if (claims_master && (!st.last_reannounce ||
                          s.now() - *st.last_reannounce >= s.config().advert_interval)) {
      s.emit(action::Announce{});
      st.last_reannounce = s.now();
    }
    return;
  }
  const auto reason =
      a.priority > st.priority
          ? fmt::format("higher-priority advert from {} (priority {} > {})", a.source.to_string(),
                        a.priority, st.priority)
          : fmt::format("equal priority {} and higher address {} > {}", a.priority,
                        a.source.to_string(), s.config().primary_address.to_string());
  s.change_state(State::Backup, reason, a.source);
  s.emit(action::RemoveVips{});
  st.master_adver_interval = a.max_advert_interval;
  st.master_address = a.source;
  st.master_priority = a.priority;
  s.arm(event::Timer::MasterDown, s.own_master_down_interval());
}

void on_master(Step& s, const Event& e) {
  std::visit(Overloaded{
                 [&](const event::AdvertReceived& a) { master_on_advert(s, a); },
                 [&](const event::TimerExpired& t) {
                   if (t.timer != event::Timer::Adver) return;  // stale Master_Down_Timer
                   s.send_advert();
                   s.arm(event::Timer::Adver, s.config().advert_interval);
                 },
                 [&](const event::Shutdown&) {
                   s.hand_over();
                   s.change_state(State::Init, "shutdown");
                 },
                 [&](const event::VipsLost& v) {
                   s.state().vips_lost = v.reason;
                   apply_fault_conditions(s, v.reason);
                   s.arm(event::Timer::MasterDown, s.own_master_down_interval());
                 },
                 [&](const event::Resign& r) {
                   s.hand_over();
                   s.change_state(State::Backup, r.reason);
                   s.state().resigned = true;
                   s.state().master_address.reset();
                   s.state().master_adver_interval = s.config().advert_interval;
                   s.arm(event::Timer::MasterDown, s.own_master_down_interval());
                 },
                 [](const auto&) { /* Startup, Resume: already running */ },
             },
             e);
}

}  // namespace

std::string_view to_string(State state) {
  switch (state) {
    case State::Init: return "INIT";
    case State::Backup: return "BACKUP";
    case State::Master: return "MASTER";
    case State::Fault: return "FAULT";
  }
  return "?";
}

Duration skew_time(std::uint8_t priority, Duration master_adver_interval) {
  return (256 - priority) * master_adver_interval / 256;
}

Duration master_down_interval(std::uint8_t priority, Duration master_adver_interval) {
  return 3 * master_adver_interval + skew_time(priority, master_adver_interval);
}

ElectionState initial_state(const ElectionConfig& config) {
  ElectionState st;
  st.priority = config.priority;
  st.master_adver_interval = config.advert_interval;
  return st;
}

StepResult step(const ElectionConfig& config, const ElectionState& state, const Event& event,
                TimePoint now) {
  Step s(config, state, now);
  if (on_common(s, event)) return std::move(s).finish();
  switch (state.state) {
    case State::Init: on_init(s, event); break;
    case State::Backup: on_backup(s, event); break;
    case State::Master: on_master(s, event); break;
    case State::Fault: on_fault(s, event); break;
  }
  return std::move(s).finish();
}

}  // namespace floatd

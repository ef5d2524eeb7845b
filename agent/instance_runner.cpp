#include "agent/instance_runner.hpp"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "agent/logging.hpp"
#include "agent/overloaded.hpp"

namespace floatd {
namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// The prefixes of `a` that `b` does not have.
std::vector<IpPrefix> missing_from(const std::vector<IpPrefix>& a, const std::vector<IpPrefix>& b) {
  std::vector<IpPrefix> out;
  for (const auto& p : a) {
    if (std::find(b.begin(), b.end(), p) == b.end()) out.push_back(p);
  }
  return out;
}

}  // namespace

InstanceRunner::InstanceRunner(struct ev_loop* loop, InstanceSettings settings,
                               ElectionConfig election, InstancePorts ports,
                               StateChangeLog& state_log)
    : loop_(loop),
      settings_(std::move(settings)),
      election_(election),
      ports_(ports),
      state_log_(state_log),
      log_(subsystem_logger("vrrp")),
      state_(initial_state(election_)) {
  ev_init(&timer_, on_timer);
  timer_.data = this;
  ev_init(&garp_timer_, on_garp_timer);
  garp_timer_.data = this;
}

InstanceRunner::~InstanceRunner() {
  ev_timer_stop(loop_, &timer_);
  ev_timer_stop(loop_, &garp_timer_);
}

void InstanceRunner::start(bool link_up, const std::vector<IpPrefix>& addresses_on_link) {
  if (election_.priority != kOwnerPriority) {
    for (const auto& vip : settings_.vips) {
      for (const auto& present : addresses_on_link) {
        if (present.address != vip.address) continue;
        log_->warn("{}: removing {} left on the interface by a previous run", settings_.name,
                   present.to_string());
        if (auto err = ports_.addresses.remove(present); !err.empty())
          log_->error("{}: cannot remove stale VIP {}: {}", settings_.name, present.to_string(), err);
      }
    }
  }
  if (!link_up) dispatch(event::LinkDown{});
  dispatch(event::Startup{});
}

void InstanceRunner::resume(bool link_up) {
  if (!link_up) dispatch(event::LinkDown{});
  dispatch(event::Resume{});
}

void InstanceRunner::freeze() {
  if (state_.state == State::Master) send_advert(state_.priority);
  ev_timer_stop(loop_, &timer_);
  ev_timer_stop(loop_, &garp_timer_);
}

void InstanceRunner::advert_received(const IpAddress& source, const Advert& advert,
                                     packet::ChecksumVariant checksum) {
  ++counters_.adverts_received;
  peer_checksum_ = checksum;
  dispatch(event::AdvertReceived{source, advert.priority,
                                 std::chrono::duration_cast<Duration>(advert.max_advert_interval)});
}

void InstanceRunner::link_changed(bool up) {
  dispatch(up ? Event{event::LinkUp{}} : Event{event::LinkDown{}});
}

void InstanceRunner::shutdown() { dispatch(event::Shutdown{}); }

void InstanceRunner::resign(std::string reason) { dispatch(event::Resign{std::move(reason)}); }

void InstanceRunner::lift_resign() { dispatch(event::ResignLifted{}); }

void InstanceRunner::group_fault_changed(std::optional<std::string> reason) {
  dispatch(event::GroupFault{std::move(reason)});
}

void InstanceRunner::health_changed(bool healthy, const std::string& reason) {
  dispatch(event::HealthChanged{healthy, reason});
}

void InstanceRunner::set_maintenance(bool on) { dispatch(event::Maintenance{on}); }

void InstanceRunner::priority_changed(std::uint8_t priority, const std::string& reason) {
  dispatch(event::PriorityChanged{priority, reason});
}

void InstanceRunner::reconfigure(InstanceSettings settings, ElectionConfig election) {
  const auto added = missing_from(settings.vips, settings_.vips);
  const auto dropped = missing_from(settings_.vips, settings.vips);
  election.primary_address = election_.primary_address;
  settings_ = std::move(settings);
  election_ = election;
  if (state_.state != State::Master || (added.empty() && dropped.empty())) return;
  // Dropped first: deleting a primary address takes the secondaries of its subnet along
  // (unless promote_secondaries), which must not include a VIP just added.
  for (const auto& vip : dropped) {
    if (auto err = ports_.addresses.remove(vip); !err.empty())
      log_->error("{}: cannot remove VIP {}: {}", settings_.name, vip.to_string(), err);
    log_->info("{}: VIP {} removed by reload", settings_.name, vip.to_string());
  }
  for (const auto& vip : added) {
    if (auto err = ports_.addresses.add(vip); !err.empty())
      log_->error("{}: cannot add VIP {}: {}", settings_.name, vip.to_string(), err);
    log_->info("{}: VIP {} added by reload", settings_.name, vip.to_string());
  }
  send_advert(state_.priority);
  if (!added.empty()) start_announcements();
}

std::string InstanceRunner::advert_health(TimePoint now) const {
  if (state_.state != State::Master) return "";
  const auto silent = now - last_advert_attempt_;
  if (silent <= 3 * election_.advert_interval + std::chrono::seconds(1)) return "";
  return fmt::format("{}: MASTER but no advert for {} ms", settings_.name,
                     std::chrono::duration_cast<std::chrono::milliseconds>(silent).count());
}

void InstanceRunner::dispatch(const Event& event) {
  auto result = step(election_, state_, event, std::chrono::steady_clock::now());
  const auto before = std::exchange(state_, std::move(result.state));
  for (const auto& action : result.actions) execute(action);
  const bool changed = before.state != state_.state || before.link_up != state_.link_up ||
                       before.health_fault != state_.health_fault ||
                       before.group_fault != state_.group_fault;
  if (changed && observer_) observer_(*this, before);
}

void InstanceRunner::execute(const Action& action) {
  std::visit(Overloaded{
                 [&](const action::SendAdvert& a) { send_advert(a.priority); },
                 [&](const action::ArmTimer& a) {
                   armed_timer_ = a.timer;
                   arm_timer(a.at);
                 },
                 [&](const action::StopTimer&) { ev_timer_stop(loop_, &timer_); },
                 [&](const action::AddVips&) { add_vips(); },
                 [&](const action::RemoveVips&) { remove_vips(); },
                 [&](const action::Announce&) { start_announcements(); },
                 [&](const action::Transition& t) {
                   last_change_ = {std::chrono::system_clock::now(), t.reason};
                   ++counters_.transitions;
                   if (t.to == State::Master) ++counters_.became_master;
                   state_log_.record(StateChange{settings_.name, election_.vrid, t.from, t.to,
                                                 state_.priority, t.reason,
                                                 t.peer ? t.peer->to_string() : ""});
                 },
             },
             action);
}

void InstanceRunner::send_advert(std::uint8_t priority) {
  Advert advert;
  advert.vrid = election_.vrid;
  advert.priority = priority;
  advert.max_advert_interval = std::chrono::duration_cast<Centiseconds>(election_.advert_interval);
  for (const auto& vip : settings_.vips) advert.addresses.push_back(vip.address);
  last_advert_attempt_ = std::chrono::steady_clock::now();
  const int err = ports_.socket.send(advert, settings_.checksum.value_or(peer_checksum_));
  ++(err == 0 ? counters_.adverts_sent : counters_.send_errors);
  if (err != 0 && !send_failing_) {
    log_->error("{}: cannot send advert: {}", settings_.name, std::strerror(err));
  } else if (err == 0 && send_failing_) {
    log_->info("{}: sending adverts again", settings_.name);
  }
  send_failing_ = err != 0;
}

void InstanceRunner::address_removed(const IpPrefix& prefix) {
  if (state_.state != State::Master) return;
  const auto vip = std::find_if(settings_.vips.begin(), settings_.vips.end(),
                                [&](const IpPrefix& v) { return v.address == prefix.address; });
  if (vip == settings_.vips.end()) return;
  const auto what = fmt::format("VIP {} was removed from {} by someone else", vip->to_string(),
                                settings_.interface);
  if (!settings_.restore_removed_vips) {
    dispatch(event::VipsLost{what + " (on_vip_removed = fault)"});
    return;
  }
  log_->warn("{}: {}; restoring it", settings_.name, what);
  if (auto err = ports_.addresses.add(*vip); !err.empty()) {
    log_->error("{}: cannot restore VIP {}: {}", settings_.name, vip->to_string(), err);
    return;
  }
  ++counters_.vips_restored;
  start_announcements();  // neighbours may have dropped or moved their entry meanwhile
}

void InstanceRunner::add_vips() {
  for (const auto& vip : settings_.vips) {
    if (auto err = ports_.addresses.add(vip); !err.empty())
      log_->error("{}: cannot add VIP {}: {}", settings_.name, vip.to_string(), err);
  }
}

void InstanceRunner::remove_vips() {
  ev_timer_stop(loop_, &garp_timer_);  // nothing left to announce
  for (const auto& vip : settings_.vips) {
    if (auto err = ports_.addresses.remove(vip); !err.empty())
      log_->error("{}: cannot remove VIP {}: {}", settings_.name, vip.to_string(), err);
  }
}

// The first round goes out at once; the rest of the burst, then the optional refresh, on a timer.
// Announcements: the burst (garp_count rounds, garp_interval apart), the late round at
// garp_repeat, then a round every garp_refresh; one one-shot timer, re-armed for each.
void InstanceRunner::start_announcements() {
  announce_round();
  garp_rounds_left_ = settings_.garp_count - 1;
  garp_repeat_at_.reset();
  const auto burst = (settings_.garp_count - 1) * settings_.garp_interval;
  if (settings_.garp_repeat > burst) {
    garp_repeat_at_ = std::chrono::steady_clock::now() + settings_.garp_repeat;
  }
  schedule_announcement();
}

void InstanceRunner::schedule_announcement() {
  ev_timer_stop(loop_, &garp_timer_);
  Duration after;
  if (garp_rounds_left_ > 0) {
    after = settings_.garp_interval;
  } else if (garp_repeat_at_) {
    after = std::max(Duration::zero(), std::chrono::duration_cast<Duration>(
                                           *garp_repeat_at_ - std::chrono::steady_clock::now()));
  } else if (settings_.garp_refresh.count() > 0) {
    after = settings_.garp_refresh;
  } else {
    return;
  }
  ev_timer_set(&garp_timer_, seconds(after), 0.);
  ev_timer_start(loop_, &garp_timer_);
}

void InstanceRunner::announce_round() {
  for (const auto& vip : settings_.vips) {
    if (int err = ports_.announcer.announce(vip.address); err != 0)
      log_->warn("{}: cannot announce {}: {}", settings_.name, vip.address.to_string(),
                 std::strerror(err));
  }
}

void InstanceRunner::arm_timer(TimePoint at) {
  ev_timer_stop(loop_, &timer_);
  ev_now_update(loop_);  // ev_now() may be stale after blocking netlink calls
  const auto delay = std::max(Duration{0}, std::chrono::duration_cast<Duration>(
                                               at - std::chrono::steady_clock::now()));
  ev_timer_set(&timer_, seconds(delay), 0.);
  ev_timer_start(loop_, &timer_);
}

void InstanceRunner::on_timer(struct ev_loop*, ev_timer* watcher, int) {
  auto* self = static_cast<InstanceRunner*>(watcher->data);
  self->dispatch(event::TimerExpired{self->armed_timer_});
}

void InstanceRunner::on_garp_timer(struct ev_loop*, ev_timer* watcher, int) {
  auto* self = static_cast<InstanceRunner*>(watcher->data);
  self->announce_round();
  if (self->garp_rounds_left_ > 0) {
    --self->garp_rounds_left_;
  } else {
    self->garp_repeat_at_.reset();  // the late round, or a refresh round: both done
  }
  self->schedule_announcement();
}

}  // namespace floatd

// One test per RFC 5798 / RFC 9568 section 6.4 rule, driven by a fake clock: "now" is a value.
#include <doctest/doctest.h>

#include <random>

#include "agent/election.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

const TimePoint t0{std::chrono::seconds(1000)};
const IpAddress kSelf = *IpAddress::parse("192.0.2.2");
const IpAddress kLowerPeer = *IpAddress::parse("192.0.2.1");
const IpAddress kHigherPeer = *IpAddress::parse("192.0.2.3");

ElectionConfig config(std::uint8_t priority = 100, Duration interval = 100ms) {
  ElectionConfig c;
  c.vrid = 51;
  c.priority = priority;
  c.advert_interval = interval;
  c.primary_address = kSelf;
  return c;
}

event::AdvertReceived advert(IpAddress from, std::uint8_t priority, Duration interval = 100ms) {
  return {from, priority, interval};
}

template <class A>
std::vector<A> all_of(const StepResult& r) {
  std::vector<A> out;
  for (const auto& a : r.actions)
    if (const auto* p = std::get_if<A>(&a)) out.push_back(*p);
  return out;
}

template <class A>
bool has(const StepResult& r) {
  return !all_of<A>(r).empty();
}

// The single timer the step armed (the test fails if there is not exactly one).
action::ArmTimer armed(const StepResult& r) {
  const auto timers = all_of<action::ArmTimer>(r);
  REQUIRE(timers.size() == 1);
  return timers.front();
}

// Runs Startup (and optionally more events) and returns the resulting state.
ElectionState started(const ElectionConfig& c) {
  return step(c, initial_state(c), event::Startup{}, t0).state;
}

ElectionState as_master(const ElectionConfig& c) {
  auto st = started(c);
  st = step(c, st, event::TimerExpired{event::Timer::MasterDown}, t0 + 1s).state;
  REQUIRE(st.state == State::Master);
  return st;
}

}  // namespace

TEST_CASE("skew time is ((256 - priority) * Master_Adver_Interval) / 256") {
  CHECK(skew_time(100, 1s) == Duration(609375));  // 156/256 s
  CHECK(skew_time(255, 100ms) == Duration(390));  // 1/256 of 100 ms
  CHECK(skew_time(1, 256ms) == 255ms);
}

TEST_CASE("master down interval is 3 * Master_Adver_Interval + skew time") {
  CHECK(master_down_interval(100, 1s) == 3s + Duration(609375));
  CHECK(master_down_interval(150, 100ms) == 300ms + Duration(41406));
}

TEST_CASE("startup: a non-owner enters BACKUP and waits a master down interval") {
  const auto c = config(100, 100ms);
  const auto r = step(c, initial_state(c), event::Startup{}, t0);
  CHECK(r.state.state == State::Backup);
  CHECK(r.state.master_adver_interval == 100ms);
  const auto timer = armed(r);
  CHECK(timer.timer == event::Timer::MasterDown);
  CHECK(timer.at == t0 + master_down_interval(100, 100ms));
  CHECK_FALSE(has<action::AddVips>(r));
  CHECK_FALSE(has<action::SendAdvert>(r));
}

TEST_CASE("startup: the address owner (priority 255) becomes MASTER at once") {
  const auto c = config(255);
  const auto r = step(c, initial_state(c), event::Startup{}, t0);
  CHECK(r.state.state == State::Master);
  CHECK(has<action::AddVips>(r));
  CHECK(has<action::Announce>(r));
  REQUIRE(all_of<action::SendAdvert>(r).size() == 1);
  CHECK(all_of<action::SendAdvert>(r)[0].priority == 255);
  CHECK(armed(r).timer == event::Timer::Adver);
  CHECK(armed(r).at == t0 + 100ms);
}

TEST_CASE("backup: master down timer expiry makes MASTER: VIPs, advert, GARP, Adver_Timer") {
  const auto c = config(100, 100ms);
  const auto r = step(c, started(c), event::TimerExpired{event::Timer::MasterDown}, t0 + 400ms);
  CHECK(r.state.state == State::Master);
  CHECK(has<action::AddVips>(r));
  CHECK(has<action::Announce>(r));
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 100);
  CHECK(armed(r).timer == event::Timer::Adver);
  CHECK(armed(r).at == t0 + 500ms);
  // VIPs are installed before the advert and the GARP that announce them.
  CHECK(std::holds_alternative<action::AddVips>(r.actions.at(1)));
}

TEST_CASE("backup: an advert at >= our priority resets the master down timer") {
  const auto c = config(100, 100ms);
  const auto r = step(c, started(c), advert(kLowerPeer, 100), t0 + 200ms);
  CHECK(r.state.state == State::Backup);
  CHECK(armed(r).at == t0 + 200ms + master_down_interval(100, 100ms));
  CHECK(r.state.master_address == kLowerPeer);
  CHECK(r.state.master_priority == 100);
}

TEST_CASE("backup: Master_Adver_Interval is learned from the master's adverts") {
  const auto c = config(100, 100ms);
  const auto r = step(c, started(c), advert(kHigherPeer, 200, 1s), t0);
  CHECK(r.state.master_adver_interval == 1s);
  // The master down interval uses the learned 1 s, not our configured 100 ms.
  CHECK(armed(r).at == t0 + master_down_interval(100, 1s));
}

TEST_CASE("backup: a priority-0 advert makes the backup wait only the skew time") {
  const auto c = config(100, 100ms);
  auto st = step(c, started(c), advert(kHigherPeer, 200), t0).state;
  const auto r = step(c, st, advert(kHigherPeer, 0), t0 + 50ms);
  CHECK(r.state.state == State::Backup);
  CHECK(armed(r).at == t0 + 50ms + skew_time(100, 100ms));
  const auto m = step(c, r.state, event::TimerExpired{event::Timer::MasterDown}, t0 + 90ms);
  REQUIRE(m.state.state == State::Master);
  CHECK(all_of<action::Transition>(m).at(0).reason.find("resigned") != std::string::npos);
  CHECK(all_of<action::Transition>(m).at(0).peer == kHigherPeer);
}

TEST_CASE("backup with preemption: a lower-priority advert is discarded, so it takes over") {
  const auto c = config(150, 100ms);
  const auto r = step(c, started(c), advert(kLowerPeer, 100), t0 + 10ms);
  CHECK(r.state.state == State::Backup);
  CHECK(r.actions.empty());  // the timer keeps running towards takeover
}

TEST_CASE("backup without preemption: a lower-priority master is accepted") {
  auto c = config(150, 100ms);
  c.preempt = false;
  const auto r = step(c, started(c), advert(kLowerPeer, 100), t0 + 10ms);
  CHECK(r.state.state == State::Backup);
  CHECK(armed(r).at == t0 + 10ms + master_down_interval(150, 100ms));
}

TEST_CASE("preempt_delay: a lower-priority master is tolerated until the delay has passed") {
  auto c = config(150, 100ms);
  c.preempt_delay = 2s;
  auto st = started(c);
  auto r = step(c, st, advert(kLowerPeer, 100), t0);
  CHECK(armed(r).at == t0 + master_down_interval(150, 100ms));  // tolerated
  r = step(c, r.state, advert(kLowerPeer, 100), t0 + 1900ms);
  CHECK(armed(r).at == t0 + 1900ms + master_down_interval(150, 100ms));  // still tolerated
  r = step(c, r.state, advert(kLowerPeer, 100), t0 + 2s);
  CHECK(r.actions.empty());  // delay over: discarded, the master down timer will fire
  const auto m = step(c, r.state, event::TimerExpired{event::Timer::MasterDown}, t0 + 2300ms);
  CHECK(m.state.state == State::Master);
  CHECK(all_of<action::Transition>(m).at(0).reason ==
        "preempting lower-priority master 192.0.2.1 (100 < 150)");
}

TEST_CASE("preempt_delay restarts when a higher-priority master was heard in between") {
  auto c = config(150, 100ms);
  c.preempt_delay = 1s;
  auto r = step(c, started(c), advert(kLowerPeer, 100), t0);
  r = step(c, r.state, advert(kHigherPeer, 200), t0 + 500ms);
  CHECK_FALSE(r.state.lower_master_since.has_value());
  r = step(c, r.state, advert(kLowerPeer, 100), t0 + 1200ms);
  CHECK(r.state.lower_master_since == t0 + 1200ms);
  CHECK(has<action::ArmTimer>(r));
}

TEST_CASE("master: the Adver_Timer sends an advert and re-arms") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::TimerExpired{event::Timer::Adver}, t0 + 2s);
  CHECK(r.state.state == State::Master);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 150);
  CHECK(armed(r).at == t0 + 2s + 100ms);
}

TEST_CASE("master: a higher-priority advert makes it BACKUP and drop the VIPs") {
  const auto c = config(100, 100ms);
  const auto r = step(c, as_master(c), advert(kLowerPeer, 200, 300ms), t0 + 2s);
  CHECK(r.state.state == State::Backup);
  CHECK(has<action::RemoveVips>(r));
  CHECK_FALSE(has<action::SendAdvert>(r));
  CHECK(r.state.master_adver_interval == 300ms);
  CHECK(armed(r).timer == event::Timer::MasterDown);
  CHECK(armed(r).at == t0 + 2s + master_down_interval(100, 300ms));
  const auto why = all_of<action::Transition>(r).at(0).reason;
  CHECK(all_of<action::Transition>(r).at(0).peer == kLowerPeer);
  CHECK(why.find("192.0.2.1") != std::string::npos);
  CHECK(why.find("200") != std::string::npos);
}

TEST_CASE("master: equal priority, the higher primary address wins the tie") {
  const auto c = config(100, 100ms);
  const auto lose = step(c, as_master(c), advert(kHigherPeer, 100), t0 + 2s);
  CHECK(lose.state.state == State::Backup);
  const auto win = step(c, as_master(c), advert(kLowerPeer, 100), t0 + 2s);
  CHECK(win.state.state == State::Master);
  CHECK(has<action::SendAdvert>(win));
}

TEST_CASE("master: a lower-priority advert is answered with an immediate advert (RFC 9568)") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), advert(kHigherPeer, 100), t0 + 2s + 30ms);
  CHECK(r.state.state == State::Master);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 150);
  CHECK(armed(r).at == t0 + 2s + 130ms);  // Adver_Timer restarts from the immediate advert
  CHECK_FALSE(has<action::Transition>(r));
}

TEST_CASE("master: a lower speaker claiming MASTER makes it re-announce, at most once an interval") {
  const auto c = config(150, 100ms);
  auto r = step(c, as_master(c), advert(kHigherPeer, 100), t0 + 2s);
  CHECK(has<action::Announce>(r));  // the other speaker may have announced the VIPs
  r = step(c, r.state, advert(kHigherPeer, 100), t0 + 2s + 50ms);
  CHECK(has<action::SendAdvert>(r));
  CHECK_FALSE(has<action::Announce>(r));  // not a GARP storm while it keeps advertising
  r = step(c, r.state, advert(kHigherPeer, 100), t0 + 2s + 100ms);
  CHECK(has<action::Announce>(r));
  CHECK(r.state.state == State::Master);
  // A resigning peer (priority 0) claims nothing: no announcement.
  CHECK_FALSE(has<action::Announce>(step(c, as_master(c), advert(kHigherPeer, 0), t0 + 2s)));
}

TEST_CASE("master: a priority-0 advert from a peer is answered at once") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), advert(kHigherPeer, 0), t0 + 2s);
  CHECK(r.state.state == State::Master);
  CHECK(has<action::SendAdvert>(r));
  CHECK(armed(r).at == t0 + 2s + 100ms);
}

TEST_CASE("shutdown of a master: priority-0 advert, VIPs removed, back to INIT") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::Shutdown{}, t0 + 2s);
  CHECK(r.state.state == State::Init);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  CHECK(has<action::StopTimer>(r));
}

TEST_CASE("shutdown of a backup sends nothing") {
  const auto c = config(100, 100ms);
  const auto r = step(c, started(c), event::Shutdown{}, t0 + 1s);
  CHECK(r.state.state == State::Init);
  CHECK_FALSE(has<action::SendAdvert>(r));
  CHECK_FALSE(has<action::RemoveVips>(r));
}

TEST_CASE("link down: MASTER goes to FAULT and removes the VIPs, link up returns to BACKUP") {
  const auto c = config(150, 100ms);
  const auto down = step(c, as_master(c), event::LinkDown{}, t0 + 2s);
  CHECK(down.state.state == State::Fault);
  CHECK(has<action::RemoveVips>(down));
  CHECK(has<action::StopTimer>(down));
  const auto up = step(c, down.state, event::LinkUp{}, t0 + 3s);
  CHECK(up.state.state == State::Backup);
  CHECK(armed(up).at == t0 + 3s + master_down_interval(150, 100ms));
}

TEST_CASE("link down: BACKUP goes to FAULT, a link down before start means FAULT at start") {
  const auto c = config(100, 100ms);
  CHECK(step(c, started(c), event::LinkDown{}, t0).state.state == State::Fault);
  const auto down = step(c, initial_state(c), event::LinkDown{}, t0);
  CHECK(down.state.state == State::Init);
  CHECK(down.actions.empty());
  const auto r = step(c, down.state, event::Startup{}, t0);
  CHECK(r.state.state == State::Fault);
  CHECK(all_of<action::Transition>(r).at(0).reason == "link down at start");
}

TEST_CASE("link up: the address owner returns straight to MASTER") {
  const auto owner = config(255, 100ms);
  auto st = step(owner, initial_state(owner), event::LinkDown{}, t0).state;
  st = step(owner, st, event::Startup{}, t0).state;
  REQUIRE(st.state == State::Fault);
  CHECK(step(owner, st, event::LinkUp{}, t0 + 1s).state.state == State::Master);
}

TEST_CASE("health: an unhealthy MASTER hands over with a priority-0 advert and goes FAULT") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::HealthChanged{false, "check 'web' failing"}, t0 + 2s);
  CHECK(r.state.state == State::Fault);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  CHECK(all_of<action::Transition>(r).at(0).reason == "check 'web' failing");
}

TEST_CASE("health: FAULT lasts while either the link is down or a check fails") {
  const auto c = config(100, 100ms);
  auto st = step(c, started(c), event::HealthChanged{false, "check 'web' failing"}, t0).state;
  st = step(c, st, event::LinkDown{}, t0 + 1s).state;
  auto r = step(c, st, event::HealthChanged{true, "check 'web' passing"}, t0 + 2s);
  CHECK(r.state.state == State::Fault);  // the link is still down
  CHECK(r.actions.empty());
  r = step(c, r.state, event::LinkUp{}, t0 + 3s);
  CHECK(r.state.state == State::Backup);
  CHECK(all_of<action::Transition>(r).at(0).reason.rfind("link up", 0) == 0);
}

TEST_CASE("health: unhealthy before start means FAULT at start, healthy later starts BACKUP") {
  const auto c = config(100, 100ms);
  auto st = step(c, initial_state(c), event::HealthChanged{false, "check 'web' unknown"}, t0).state;
  st = step(c, st, event::Startup{}, t0).state;
  CHECK(st.state == State::Fault);
  const auto r = step(c, st, event::HealthChanged{true, "check 'web' passing"}, t0 + 2s);
  CHECK(r.state.state == State::Backup);
  CHECK(all_of<action::Transition>(r).at(0).reason.rfind("check 'web' passing", 0) == 0);
}

TEST_CASE("priority change of a MASTER is advertised at once") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::PriorityChanged{120, "check 'web' failing (-30)"},
                      t0 + 2s);
  CHECK(r.state.state == State::Master);
  CHECK(r.state.priority == 120);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 120);
  CHECK(armed(r).at == t0 + 2s + 100ms);
}

TEST_CASE("demotion below a peer heard within a master down interval hands over at once") {
  const auto c = config(150, 100ms);
  auto st = as_master(c);
  // A backup that just preempted-then-lost, or that answered us: heard 100 ms ago at 120.
  st = step(c, st, advert(kLowerPeer, 120), t0 + 2s).state;
  const auto r = step(c, st, event::PriorityChanged{50, "check 'web' failing (-100)"}, t0 + 2100ms);
  CHECK(r.state.state == State::Backup);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  CHECK(all_of<action::Transition>(r).at(0).reason ==
        "demoted 150 -> 50 (check 'web' failing (-100)) below peer 192.0.2.1 (priority 120)");
}

TEST_CASE("demotion keeps the VIP when no better peer was heard recently (a lone host)") {
  const auto c = config(150, 100ms);
  auto st = as_master(c);
  st = step(c, st, advert(kLowerPeer, 120), t0 + 2s).state;
  // Long after that peer was last heard: it may be gone, so keep advertising instead.
  const auto r = step(c, st, event::PriorityChanged{50, "check failing"}, t0 + 10s);
  CHECK(r.state.state == State::Master);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 50);
  // And a peer heard recently but still below the demoted priority does not trigger it.
  const auto r2 = step(c, st, event::PriorityChanged{130, "check failing"}, t0 + 2100ms);
  CHECK(r2.state.state == State::Master);
}

TEST_CASE("a BACKUP whose priority rises above the master's preempts at the master down timer") {
  const auto c = config(100, 100ms);
  auto st = step(c, started(c), advert(kHigherPeer, 120), t0).state;
  st = step(c, st, event::PriorityChanged{130, "check 'bonus' passing (+30)"}, t0 + 50ms).state;
  const auto r = step(c, st, advert(kHigherPeer, 120), t0 + 100ms);
  CHECK(r.actions.empty());  // discarded: the master down timer will make us MASTER
  CHECK(r.state.priority == 130);
}

TEST_CASE("FAULT ignores adverts and timers") {
  const auto c = config(100, 100ms);
  const auto fault = step(c, started(c), event::LinkDown{}, t0).state;
  for (const Event& e : std::vector<Event>{advert(kHigherPeer, 200), advert(kLowerPeer, 0),
                                           event::TimerExpired{event::Timer::MasterDown},
                                           event::TimerExpired{event::Timer::Adver},
                                           event::Startup{}}) {
    const auto r = step(c, fault, e, t0 + 1s);
    CHECK(r.state == fault);
    CHECK(r.actions.empty());
  }
}

TEST_CASE("a stale timer of the other state is ignored") {
  const auto c = config(100, 100ms);
  const auto backup = started(c);
  CHECK(step(c, backup, event::TimerExpired{event::Timer::Adver}, t0 + 1s).actions.empty());
  const auto master = as_master(c);
  CHECK(step(c, master, event::TimerExpired{event::Timer::MasterDown}, t0 + 2s).actions.empty());
}

TEST_CASE("every state change is reported exactly once, with a reason") {
  const auto c = config(120, 100ms);
  std::mt19937 rng(42);
  const std::vector<Event> events{event::Startup{},
                                  event::Resume{},
                                  advert(kLowerPeer, 200),
                                  advert(kHigherPeer, 100),
                                  advert(kLowerPeer, 120),
                                  advert(kHigherPeer, 120),
                                  advert(kHigherPeer, 0),
                                  event::TimerExpired{event::Timer::MasterDown},
                                  event::TimerExpired{event::Timer::Adver},
                                  event::LinkDown{},
                                  event::LinkUp{},
                                  event::Shutdown{},
                                  event::Resign{},
                                  event::HealthChanged{false, "check failing"},
                                  event::HealthChanged{true, "check passing"},
                                  event::PriorityChanged{90, "demoted"},
                                  event::PriorityChanged{120, "restored"},
                                  event::Maintenance{true},
                                  event::Maintenance{false}};
  auto st = initial_state(c);
  TimePoint now = t0;
  int changes = 0;
  for (int i = 0; i < 5000; ++i) {
    now += Duration(rng() % 200000);
    const auto r = step(c, st, events[rng() % events.size()], now);
    const auto transitions = all_of<action::Transition>(r);
    if (r.state.state != st.state) {
      ++changes;
      REQUIRE(transitions.size() == 1);
      CHECK(transitions[0].from == st.state);
      CHECK(transitions[0].to == r.state.state);
      CHECK_FALSE(transitions[0].reason.empty());
    } else {
      CHECK(transitions.empty());
    }
    st = r.state;
  }
  CHECK(changes > 100);  // the walk really visited the states
}

TEST_CASE("two routers on a simulated wire elect exactly one master, the higher priority") {
  // A tiny discrete-event network: each advert reaches the other router 1 ms later.
  struct Router {
    ElectionConfig config;
    ElectionState state;
    std::optional<TimePoint> timer;
  };
  Router a{config(150, 100ms), {}, {}};
  Router b{config(100, 100ms), {}, {}};
  a.config.primary_address = kLowerPeer;
  b.config.primary_address = kHigherPeer;
  a.state = initial_state(a.config);
  b.state = initial_state(b.config);
  std::vector<std::pair<TimePoint, std::pair<Router*, event::AdvertReceived>>> wire;

  auto apply = [&](Router& self, Router& other, const Event& e, TimePoint now) {
    auto r = step(self.config, self.state, e, now);
    self.state = r.state;
    for (const auto& act : r.actions) {
      if (const auto* arm = std::get_if<action::ArmTimer>(&act)) self.timer = arm->at;
      if (std::holds_alternative<action::StopTimer>(act)) self.timer.reset();
      if (const auto* send = std::get_if<action::SendAdvert>(&act))
        wire.push_back({now + 1ms, {&other, {self.config.primary_address, send->priority, 100ms}}});
    }
  };
  apply(b, a, event::Startup{}, t0);
  apply(a, b, event::Startup{}, t0 + 5ms);
  TimePoint now = t0;
  for (int i = 0; i < 2000 && now < t0 + 5s; ++i) {
    // Next event: the earliest timer or delivery.
    TimePoint next = t0 + 1h;
    if (a.timer) next = std::min(next, *a.timer);
    if (b.timer) next = std::min(next, *b.timer);
    for (const auto& w : wire) next = std::min(next, w.first);
    now = next;
    if (a.timer && *a.timer == now) { a.timer.reset(); apply(a, b, event::TimerExpired{a.state.state == State::Master ? event::Timer::Adver : event::Timer::MasterDown}, now); continue; }
    if (b.timer && *b.timer == now) { b.timer.reset(); apply(b, a, event::TimerExpired{b.state.state == State::Master ? event::Timer::Adver : event::Timer::MasterDown}, now); continue; }
    for (auto it = wire.begin(); it != wire.end(); ++it) {
      if (it->first != now) continue;
      auto [to, adv] = it->second;
      wire.erase(it);
      apply(*to, to == &a ? b : a, adv, now);
      break;
    }
  }
  CHECK(a.state.state == State::Master);
  CHECK(b.state.state == State::Backup);
}

TEST_CASE("resign: a MASTER hands over like a shutdown but stays BACKUP") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::Resign{}, t0 + 2s);
  CHECK(r.state.state == State::Backup);
  CHECK(r.state.resigned);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  CHECK(armed(r).timer == event::Timer::MasterDown);
}

TEST_CASE("resign: the resigned node does not preempt the lower-priority new master") {
  const auto c = config(150, 100ms);
  const auto resigned = step(c, as_master(c), event::Resign{}, t0 + 2s).state;
  const auto r = step(c, resigned, advert(kLowerPeer, 100), t0 + 2s + 50ms);
  CHECK(armed(r).at == t0 + 2s + 50ms + master_down_interval(150, 100ms));  // accepted
  // Once the new master is gone and we are MASTER again, preemption is back to normal.
  auto m = step(c, r.state, event::TimerExpired{event::Timer::MasterDown}, t0 + 3s);
  REQUIRE(m.state.state == State::Master);
  CHECK_FALSE(m.state.resigned);
}

TEST_CASE("resign is ignored outside MASTER") {
  const auto c = config(100, 100ms);
  const auto backup = started(c);
  const auto r = step(c, backup, event::Resign{}, t0 + 1s);
  CHECK(r.state == backup);
  CHECK(r.actions.empty());
}

TEST_CASE("maintenance on: a MASTER hands over and stays BACKUP even with no master around") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::Maintenance{true}, t0 + 2s);
  CHECK(r.state.state == State::Backup);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  // Nobody takes over: the master down timer fires again and again, and we stay BACKUP.
  auto st = r.state;
  for (int i = 0; i < 3; ++i) {
    const auto t = step(c, st, event::TimerExpired{event::Timer::MasterDown}, t0 + 3s + i * 1s);
    CHECK(t.state.state == State::Backup);
    CHECK(armed(t).timer == event::Timer::MasterDown);
    st = t.state;
  }
  // And a lower-priority master is not preempted.
  CHECK(has<action::ArmTimer>(step(c, st, advert(kLowerPeer, 100), t0 + 9s)));
}

TEST_CASE("maintenance off: the next master down expiry makes MASTER again") {
  const auto c = config(150, 100ms);
  auto st = step(c, as_master(c), event::Maintenance{true}, t0 + 2s).state;
  st = step(c, st, event::Maintenance{false}, t0 + 3s).state;
  CHECK(st.state == State::Backup);
  CHECK(step(c, st, event::TimerExpired{event::Timer::MasterDown}, t0 + 4s).state.state ==
        State::Master);
}

TEST_CASE("maintenance before start: even the address owner starts as BACKUP") {
  const auto owner = config(255, 100ms);
  auto st = step(owner, initial_state(owner), event::Maintenance{true}, t0).state;
  CHECK(step(owner, st, event::Startup{}, t0).state.state == State::Backup);
}

TEST_CASE("resume: a MASTER restarted hitlessly is MASTER at once, advertising, VIPs kept") {
  const auto c = config(100);
  const auto r = step(c, initial_state(c), event::Resume{}, t0);
  CHECK(r.state.state == State::Master);
  CHECK_FALSE(has<action::RemoveVips>(r));
  CHECK(has<action::AddVips>(r));  // idempotent: puts back a VIP deleted meanwhile
  CHECK(all_of<action::SendAdvert>(r).size() == 1);
  CHECK(has<action::Announce>(r));
  CHECK(armed(r).timer == event::Timer::Adver);
  CHECK(all_of<action::Transition>(r).at(0).reason == "resumed after a hitless restart");
}

TEST_CASE("resume: with its link down the VIPs go and it is FAULT") {
  const auto c = config(100);
  auto st = step(c, initial_state(c), event::LinkDown{}, t0).state;
  const auto r = step(c, st, event::Resume{}, t0);
  CHECK(r.state.state == State::Fault);
  CHECK(has<action::RemoveVips>(r));
  CHECK_FALSE(has<action::SendAdvert>(r));
}

TEST_CASE("resume: in maintenance the VIPs go and it waits in BACKUP") {
  const auto c = config(100);
  auto st = step(c, initial_state(c), event::Maintenance{true}, t0).state;
  const auto r = step(c, st, event::Resume{}, t0);
  CHECK(r.state.state == State::Backup);
  CHECK(has<action::RemoveVips>(r));
  CHECK(armed(r).timer == event::Timer::MasterDown);
}

TEST_CASE("resume: ignored once running") {
  const auto c = config(100);
  const auto st = started(c);
  const auto r = step(c, st, event::Resume{}, t0 + 10ms);
  CHECK(r.state == st);
  CHECK(r.actions.empty());
}

TEST_CASE("a master demoted below us is preempted after our skew time, not a master down interval") {
  const auto c = config(100, 100ms);
  auto st = step(c, started(c), advert(kHigherPeer, 150), t0 + 100ms).state;  // deferred to it
  const auto r = step(c, st, advert(kHigherPeer, 50), t0 + 200ms);  // its tracker demoted it
  CHECK(armed(r).timer == event::Timer::MasterDown);
  CHECK(armed(r).at == t0 + 200ms + skew_time(100, 100ms));
  // Its next lower advert does not push the timer further out.
  const auto again = step(c, r.state, advert(kHigherPeer, 50), t0 + 250ms);
  CHECK_FALSE(has<action::ArmTimer>(again));
  const auto m = step(c, again.state, event::TimerExpired{event::Timer::MasterDown},
                      t0 + 200ms + skew_time(100, 100ms));
  CHECK(m.state.state == State::Master);
  CHECK(all_of<action::Transition>(m).at(0).reason.find("preempting lower-priority master") == 0);
}

TEST_CASE("a lower-priority master we never deferred to is preempted by the RFC rule only") {
  const auto c = config(100, 100ms);
  const auto r = step(c, started(c), advert(kHigherPeer, 50), t0 + 100ms);
  CHECK(r.actions.empty());  // discarded: the Master_Down_Timer from start-up runs out
}

TEST_CASE("without preemption a demoted master keeps the VIP") {
  auto c = config(100, 100ms);
  c.preempt = false;
  auto st = step(c, started(c), advert(kHigherPeer, 150), t0 + 100ms).state;
  const auto r = step(c, st, advert(kHigherPeer, 50), t0 + 200ms);
  CHECK(armed(r).at == t0 + 200ms + master_down_interval(100, 100ms));  // accepted as master
}

TEST_CASE("a resign carries its reason; ResignLifted lets a resigned backup preempt again") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::Resign{"sync group 'lb': db left MASTER"}, t0 + 2s);
  CHECK(all_of<action::Transition>(r).at(0).reason == "sync group 'lb': db left MASTER");
  REQUIRE(r.state.resigned);
  const auto lifted = step(c, r.state, event::ResignLifted{}, t0 + 3s);
  CHECK_FALSE(lifted.state.resigned);
  CHECK(lifted.actions.empty());
  // A lower master is now discarded again: we preempt when the Master_Down_Timer runs out.
  CHECK(step(c, lifted.state, advert(kLowerPeer, 100), t0 + 3s + 10ms).actions.empty());
}

TEST_CASE("group fault: a MASTER hands over and waits in FAULT until the group releases it") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::GroupFault{"sync group 'lb': db in FAULT (link down)"},
                      t0 + 2s);
  CHECK(r.state.state == State::Fault);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  CHECK(all_of<action::Transition>(r).at(0).reason == "sync group 'lb': db in FAULT (link down)");
  // Adverts and timers change nothing in FAULT.
  CHECK(step(c, r.state, event::TimerExpired{event::Timer::MasterDown}, t0 + 3s).actions.empty());
  const auto released = step(c, r.state, event::GroupFault{}, t0 + 4s);
  CHECK(released.state.state == State::Backup);
  CHECK_FALSE(released.state.group_fault.has_value());
}

TEST_CASE("group fault at start: the instance starts in FAULT") {
  const auto c = config(100, 100ms);
  auto st = step(c, initial_state(c), event::GroupFault{"sync group 'lb': db in FAULT (x)"}, t0).state;
  CHECK(st.state == State::Init);
  const auto r = step(c, st, event::Startup{}, t0);
  CHECK(r.state.state == State::Fault);
}

TEST_CASE("VIPs lost (on_vip_removed = fault): hand over, FAULT for a master down interval") {
  const auto c = config(150, 100ms);
  const auto r = step(c, as_master(c), event::VipsLost{"VIP removed by someone else"}, t0 + 2s);
  CHECK(r.state.state == State::Fault);
  CHECK(all_of<action::SendAdvert>(r).at(0).priority == 0);
  CHECK(has<action::RemoveVips>(r));
  CHECK(armed(r).at == t0 + 2s + master_down_interval(150, 100ms));
  // Adverts do not end it; its timer does, and the instance is an ordinary BACKUP again.
  CHECK(step(c, r.state, advert(kLowerPeer, 100), t0 + 2s + 50ms).state.state == State::Fault);
  const auto after = step(c, r.state, event::TimerExpired{event::Timer::MasterDown}, t0 + 3s);
  CHECK(after.state.state == State::Backup);
  CHECK_FALSE(after.state.vips_lost.has_value());
  // Outside MASTER it means nothing.
  const auto backup = started(c);
  CHECK(step(c, backup, event::VipsLost{"x"}, t0 + 1s).state == backup);
}

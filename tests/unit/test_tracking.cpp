// Tracking: check results reach the instance as effective priority and weight-0 FAULT.
// Real check processes (/bin/true, /bin/false) on the default loop; fake ports for the VRRP side.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>

#include "agent/logging.hpp"
#include "agent/tracking.hpp"
#include "fake_ports.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  struct ev_loop* loop = EV_DEFAULT;  // script checks need the default loop (ev_child)
  testing::FakeAdvertSocket socket;
  testing::FakeAddressManager addresses;
  testing::FakeAnnouncer announcer;
  StateChangeLog state_log{LogTarget::Stderr};
  std::unique_ptr<InstanceRunner> runner;
  std::unique_ptr<Tracking> tracking;

  Fixture(const char* command, int weight) {
    ElectionConfig election;
    election.vrid = 51;
    election.priority = 150;
    election.advert_interval = 10ms;
    election.primary_address = *IpAddress::parse("192.0.2.1");
    runner = std::make_unique<InstanceRunner>(
        loop, InstanceSettings{"web", "eth0", {*IpPrefix::parse("192.0.2.100/24")}},
        election, InstancePorts{socket, addresses, announcer}, state_log);
    conf::Config config;
    conf::CheckConfig check;
    check.name = "svc";
    check.command = {command};
    check.interval = 50ms;
    check.timeout = 40ms;
    check.rise = 1;
    check.fall = 1;
    config.checks.push_back(check);
    tracking = std::make_unique<Tracking>(loop, config);
    tracking->follow(*runner, {conf::TrackConfig{"svc", weight}});
  }
  ~Fixture() {
    tracking.reset();  // kills check runs in flight
    runner.reset();
  }
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ev_run(loop, EVRUN_ONCE);
    }
    return true;
  }
};

}  // namespace

TEST_CASE("tracking: a check not yet passed lowers the priority from the start") {
  Fixture f("/bin/true", -100);
  CHECK(f.runner->state().priority == 50);
  f.runner->start(true, {});
  f.tracking->start();
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 150; }));  // passed once
}

TEST_CASE("tracking: a failing weight-0 check keeps the instance in FAULT, never MASTER") {
  Fixture f("/bin/false", 0);
  f.runner->start(true, {});
  f.tracking->start();
  CHECK(f.runner->state().state == State::Fault);
  // Several check runs and many master down intervals later: still FAULT, no VIP.
  const auto until = std::chrono::steady_clock::now() + 300ms;
  f.run_until([&] { return std::chrono::steady_clock::now() > until; });
  CHECK(f.runner->state().state == State::Fault);
  CHECK(f.addresses.log.empty());
}

TEST_CASE("tracking: a passing weight-0 check lets the instance leave FAULT and become MASTER") {
  Fixture f("/bin/true", 0);
  f.runner->start(true, {});
  f.tracking->start();
  CHECK(f.runner->state().state == State::Fault);
  REQUIRE(f.run_until([&] { return f.runner->state().state == State::Master; }));
}

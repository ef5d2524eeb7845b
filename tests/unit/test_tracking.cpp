// Tracking: check results, interfaces and files reach the instance as effective priority and
// weight-0 FAULT.
// Real check processes (/bin/true, /bin/false) on the default loop; fake ports for the VRRP side.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

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

  conf::Config config;
  std::map<std::string, TrackedInterfaces::Link> links;  // what the fake link query finds

  static conf::CheckConfig check_running(const char* command, int fall) {
    conf::CheckConfig check;
    check.name = "svc";
    check.command = {command};
    check.interval = 50ms;
    check.timeout = 40ms;
    check.rise = 1;
    check.fall = fall;
    return check;
  }

  Fixture(const char* command, int weight) {
    ElectionConfig election;
    election.vrid = 51;
    election.priority = 150;
    election.advert_interval = 10ms;
    election.primary_address = *IpAddress::parse("192.0.2.1");
    runner = std::make_unique<InstanceRunner>(
        loop, InstanceSettings{"web", "eth0", {*IpPrefix::parse("192.0.2.100/24")}},
        election, InstancePorts{socket, addresses, announcer}, state_log);
    config.checks.push_back(check_running(command, 1));
    tracking = std::make_unique<Tracking>(
        loop, config, std::map<std::string, checks::Health>{},
        [this](const std::string& name) -> std::optional<TrackedInterfaces::Link> {
          const auto found = links.find(name);
          if (found == links.end()) return std::nullopt;
          return found->second;
        });
    tracking->follow(*runner, {conf::TrackConfig{.check = "svc", .weight = weight}});
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

TEST_CASE("tracking: a reloaded check keeps its verdict until its new fall streak completes") {
  Fixture f("/bin/true", -100);
  f.runner->start(true, {});
  f.tracking->start();
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 150; }));
  auto next = f.config;
  next.checks[0] = Fixture::check_running("/bin/false", 3);
  auto prepared = f.tracking->prepare(next, conf::diff_configs(f.config, next));
  CHECK(prepared.checks.size() == 1);
  f.tracking->apply(std::move(prepared));
  CHECK(f.runner->state().priority == 150);  // no flap at the reload itself
  const auto reloaded = std::chrono::steady_clock::now();
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 50; }));
  // Three failing runs, 50 ms apart, the first at once: at least 100 ms.
  CHECK(std::chrono::steady_clock::now() - reloaded >= 100ms);
}

TEST_CASE("tracking: following no tracks returns the instance to its configured priority") {
  Fixture f("/bin/false", -100);
  CHECK(f.runner->state().priority == 50);
  f.tracking->follow(*f.runner, {});
  CHECK(f.runner->state().priority == 150);
  f.tracking->follow(*f.runner, {conf::TrackConfig{.check = "svc", .weight = 0}});
  CHECK(f.runner->state().health_fault.has_value());
  f.tracking->follow(*f.runner, {});
  CHECK_FALSE(f.runner->state().health_fault.has_value());
}

TEST_CASE("tracking: a removed check stops, an added one starts unknown") {
  Fixture f("/bin/true", -100);
  auto next = f.config;
  next.checks[0].name = "other";
  auto prepared = f.tracking->prepare(next, conf::diff_configs(f.config, next));
  f.tracking->follow(*f.runner, {});
  f.tracking->apply(std::move(prepared));
  f.tracking->follow(*f.runner, {conf::TrackConfig{.check = "other", .weight = -10}});
  CHECK(f.runner->state().priority == 140);  // "other" has not run yet
  f.runner->start(true, {});
  f.tracking->start();
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 150; }));
}

TEST_CASE("tracking: an interface tracker faults the instance while the interface is down") {
  Fixture f("/bin/true", -100);
  f.links["eth1"] = {7, true};
  f.tracking->follow(*f.runner, {conf::TrackConfig{.interface = "eth1"}});
  CHECK_FALSE(f.runner->state().health_fault.has_value());
  f.tracking->link_changed(8, false);  // another interface: no change
  CHECK_FALSE(f.runner->state().health_fault.has_value());
  f.tracking->link_changed(7, false);
  REQUIRE(f.runner->state().health_fault.has_value());
  CHECK(*f.runner->state().health_fault == "interface eth1 failing (fault)");
  f.tracking->link_changed(7, true);
  CHECK_FALSE(f.runner->state().health_fault.has_value());
}

TEST_CASE("tracking: a missing tracked interface is down until it appears") {
  Fixture f("/bin/true", -100);
  f.tracking->follow(*f.runner, {conf::TrackConfig{.interface = "eth1", .weight = -20}});
  CHECK(f.runner->state().priority == 130);
  f.links["eth1"] = {9, true};  // created: its first notification has an unknown ifindex
  f.tracking->link_changed(9, true);
  CHECK(f.runner->state().priority == 150);
  f.links["eth1"] = {9, false};  // a lost notification, repaired by the resync
  f.tracking->links_resynced();
  CHECK(f.runner->state().priority == 130);
}

TEST_CASE("tracking: a file tracker multiplies the file's integer by its weight") {
  Fixture f("/bin/true", -100);
  const auto path = std::filesystem::temp_directory_path() /
                    ("floatd-track-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  f.tracking->follow(*f.runner, {conf::TrackConfig{.file = path.string(), .weight = -10}});
  CHECK(f.runner->state().priority == 150);  // absent: 0
  std::ofstream(path) << "3\n";
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 120; }));
  std::ofstream(path) << "oops\n";  // not an integer: counts as 0
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 150; }));
  std::ofstream(path) << "-2";
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 170; }));
  std::filesystem::remove(path);
  REQUIRE(f.run_until([&] { return f.runner->state().priority == 150; }));
}

TEST_CASE("tracking: a weight-0 file tracker faults the instance while the value is non-zero") {
  Fixture f("/bin/true", -100);
  const auto path = std::filesystem::temp_directory_path() /
                    ("floatd-fault-" + std::to_string(::getpid()));
  std::ofstream(path) << "1";
  f.tracking->follow(*f.runner, {conf::TrackConfig{.file = path.string()}});
  REQUIRE(f.runner->state().health_fault.has_value());
  CHECK(f.runner->state().health_fault->find("file " + path.string()) != std::string::npos);
  std::ofstream(path) << "0";
  REQUIRE(f.run_until([&] { return !f.runner->state().health_fault.has_value(); }));
  std::filesystem::remove(path);
}

// The runtime executes the election's actions through the ports, with real libev timers
// (a private loop, 10 ms adverts) and recording fakes instead of the kernel.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>

#include "agent/instance_runner.hpp"
#include "agent/logging.hpp"
#include "fake_ports.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

const IpPrefix kVip = *IpPrefix::parse("192.0.2.100/24");

struct Fixture {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  testing::FakeAdvertSocket socket;
  testing::FakeAddressManager addresses;
  testing::FakeAnnouncer announcer;
  StateChangeLog state_log{LogTarget::Stderr};
  std::unique_ptr<InstanceRunner> runner;

  explicit Fixture(std::uint8_t priority = 100, int garp_count = 3,
                   Duration garp_repeat = std::chrono::seconds(2)) {
    ElectionConfig election;
    election.vrid = 51;
    election.priority = priority;
    election.advert_interval = 10ms;
    election.primary_address = *IpAddress::parse("192.0.2.1");
    InstanceSettings settings{"web", "eth0", {kVip}, garp_count, 10ms, Duration{0}};
    settings.garp_repeat = garp_repeat;
    runner = std::make_unique<InstanceRunner>(
        loop, settings, election, InstancePorts{socket, addresses, announcer}, state_log);
  }
  ~Fixture() {
    runner.reset();
    ev_loop_destroy(loop);
  }

  // Runs the loop until `done` holds; false after a 2 s bound.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ev_run(loop, EVRUN_ONCE);
    }
    return true;
  }
  State state() const { return runner->state().state; }
};

}  // namespace

TEST_CASE("runner: alone on the link, the master down timer makes it MASTER with the VIP") {
  Fixture f;
  f.runner->start(true, {});
  CHECK(f.state() == State::Backup);
  CHECK(f.addresses.log.empty());
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  CHECK(f.addresses.log == std::vector<std::string>{"add 192.0.2.100/24"});
  REQUIRE_FALSE(f.socket.sent.empty());
  CHECK(f.socket.sent.front().vrid == 51);
  CHECK(f.socket.sent.front().priority == 100);
  CHECK(f.socket.sent.front().max_advert_interval == Centiseconds(1));
  CHECK(f.socket.sent.front().addresses == std::vector<IpAddress>{kVip.address});
}

TEST_CASE("runner: as MASTER it keeps advertising on the Adver_Timer") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.socket.sent.size() >= 5; }));
  CHECK(f.state() == State::Master);
}

TEST_CASE("runner: the gratuitous ARP burst has garp_count rounds, then stops") {
  Fixture f(100, 3);
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.announcer.announced.size() >= 3; }));
  // Well past the burst (several more adverts), no fourth round.
  const auto adverts = f.socket.sent.size();
  REQUIRE(f.run_until([&] { return f.socket.sent.size() >= adverts + 6; }));
  CHECK(f.announcer.announced.size() == 3);
}

TEST_CASE("runner: one late round follows the burst at garp_repeat, then nothing") {
  Fixture f(100, 2, 150ms);
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.announcer.announced.size() >= 2; }));  // the burst
  const auto burst_done = std::chrono::steady_clock::now();
  REQUIRE(f.run_until([&] { return f.announcer.announced.size() >= 3; }));  // the late one
  CHECK(std::chrono::steady_clock::now() - burst_done >= 100ms);  // not right after the burst
  const auto adverts = f.socket.sent.size();
  REQUIRE(f.run_until([&] { return f.socket.sent.size() >= adverts + 20; }));  // 200 ms on
  CHECK(f.announcer.announced.size() == 3);
}

TEST_CASE("runner: a stale VIP left on the interface is removed before BACKUP") {
  Fixture f;
  f.runner->start(true, {*IpPrefix::parse("192.0.2.1/24"), kVip});
  CHECK(f.addresses.log == std::vector<std::string>{"remove 192.0.2.100/24"});
  CHECK(f.state() == State::Backup);
}

TEST_CASE("runner: the address owner keeps its addresses at start and is MASTER at once") {
  Fixture f(255);
  f.runner->start(true, {kVip});
  CHECK(f.state() == State::Master);
  CHECK(f.addresses.log == std::vector<std::string>{"add 192.0.2.100/24"});
}

TEST_CASE("runner: a higher-priority master keeps it in BACKUP") {
  Fixture f;
  f.runner->start(true, {});
  Advert advert{3, 51, 200, Centiseconds(1), {kVip.address}};
  const auto deadline = std::chrono::steady_clock::now() + 200ms;
  while (std::chrono::steady_clock::now() < deadline) {  // a master advertising every ~5 ms
    f.runner->advert_received(*IpAddress::parse("192.0.2.9"), advert);
    ev_run(f.loop, EVRUN_NOWAIT);
  }
  CHECK(f.state() == State::Backup);
  CHECK(f.addresses.log.empty());
}

TEST_CASE("runner: graceful shutdown of a MASTER sends priority 0 and removes the VIP") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  f.runner->shutdown();
  CHECK(f.state() == State::Init);
  CHECK(f.socket.sent.back().priority == 0);
  CHECK(f.addresses.log.back() == "remove 192.0.2.100/24");
}

TEST_CASE("runner: link down takes the VIP away (FAULT), link up returns to BACKUP") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  f.runner->link_changed(false);
  CHECK(f.state() == State::Fault);
  CHECK(f.addresses.log.back() == "remove 192.0.2.100/24");
  const auto sent = f.socket.sent.size();
  f.runner->link_changed(true);
  CHECK(f.state() == State::Backup);
  CHECK(f.socket.sent.size() == sent);  // nothing sent while down or on the way back
}

TEST_CASE("runner: a reload as MASTER adds and announces new VIPs, removes dropped ones, keeps the rest") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  f.addresses.log.clear();
  f.announcer.announced.clear();
  const auto adverts = f.socket.sent.size();
  const IpPrefix added = *IpPrefix::parse("192.0.2.101/24");
  auto settings = f.runner->settings();
  settings.vips = {added};
  ElectionConfig election;
  election.vrid = 51;
  election.priority = 100;
  election.advert_interval = 20ms;
  f.runner->reconfigure(settings, election);
  CHECK(f.state() == State::Master);
  CHECK(f.addresses.log == std::vector<std::string>{"remove 192.0.2.100/24", "add 192.0.2.101/24"});
  REQUIRE_FALSE(f.announcer.announced.empty());
  CHECK(f.announcer.announced.front() == added.address);
  REQUIRE(f.socket.sent.size() == adverts + 1);  // the new set, advertised at once
  CHECK(f.socket.sent.back().addresses == std::vector<IpAddress>{added.address});
  // The primary address is kept; the next adverts carry the new interval.
  REQUIRE(f.run_until([&] { return f.socket.sent.size() > adverts + 1; }));
  CHECK(f.socket.sent.back().max_advert_interval == Centiseconds(2));
}

TEST_CASE("runner: a reload in BACKUP changes no address, the VIPs come with MASTER") {
  Fixture f;
  f.runner->start(true, {});
  auto settings = f.runner->settings();
  settings.vips.push_back(*IpPrefix::parse("192.0.2.101/24"));
  ElectionConfig election;
  election.vrid = 51;
  election.advert_interval = 10ms;
  f.runner->reconfigure(settings, election);
  CHECK(f.addresses.log.empty());
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  CHECK(f.addresses.log == std::vector<std::string>{"add 192.0.2.100/24", "add 192.0.2.101/24"});
}

TEST_CASE("runner: freeze sends a last advert and goes quiet, resume is MASTER again at once") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  const auto sent = f.socket.sent.size();
  f.runner->freeze();
  REQUIRE(f.socket.sent.size() == sent + 1);
  CHECK(f.socket.sent.back().priority == 100);
  // Quiet: no Adver_Timer runs any more (a few intervals on the loop).
  const auto until = std::chrono::steady_clock::now() + 50ms;
  f.run_until([&] { return std::chrono::steady_clock::now() > until; });
  CHECK(f.socket.sent.size() == sent + 1);

  Fixture next;
  InstanceCounters counters;
  counters.adverts_sent = 41;
  counters.became_master = 1;
  next.runner->restore_counters(counters);
  next.runner->resume(true);
  CHECK(next.state() == State::Master);
  CHECK(next.addresses.log == std::vector<std::string>{"add 192.0.2.100/24"});  // idempotent
  CHECK(next.runner->counters().adverts_sent == 42);
  CHECK(next.runner->counters().became_master == 2);
}

TEST_CASE("runner: advert health is fine while the Adver_Timer runs, a problem once it stalls") {
  Fixture f;
  f.runner->start(true, {});
  const auto now = [] { return std::chrono::steady_clock::now(); };
  CHECK(f.runner->advert_health(now() + 1h).empty());  // BACKUP: nothing to send
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  CHECK(f.runner->advert_health(now()).empty());
  f.runner->freeze();  // the timer stops, as a stalled one would
  CHECK(f.runner->advert_health(now()).empty());  // within 3 intervals + 1 s
  CHECK(f.runner->advert_health(now() + 2s).find("web: MASTER but no advert for") == 0);
}

TEST_CASE("runner: a VIP deleted by someone else from a MASTER is put back and announced") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  f.addresses.log.clear();
  const auto announced = f.announcer.announced.size();
  f.runner->address_removed(*IpPrefix::parse("192.0.2.7/24"));  // not a VIP: ignored
  CHECK(f.addresses.log.empty());
  f.runner->address_removed(kVip);
  CHECK(f.addresses.log == std::vector<std::string>{"add 192.0.2.100/24"});
  CHECK(f.announcer.announced.size() > announced);
  CHECK(f.runner->counters().vips_restored == 1);
  CHECK(f.state() == State::Master);
}

TEST_CASE("runner: a VIP removed while not MASTER is none of our business") {
  Fixture f;
  f.runner->start(true, {});
  REQUIRE(f.state() == State::Backup);
  f.runner->address_removed(kVip);
  CHECK(f.addresses.log.empty());
}

TEST_CASE("runner: checksum auto answers in the variant of the speaker it heard last") {
  Fixture f(200);
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  CHECK(f.socket.checksums.back() == packet::ChecksumVariant::PseudoHeader);  // nobody heard yet
  Advert lower;
  lower.vrid = 51;
  lower.priority = 100;
  lower.max_advert_interval = Centiseconds(1);
  lower.addresses = {kVip.address};
  // An RFC 9568 speaker claims MASTER: our immediate answer uses its variant.
  f.runner->advert_received(*IpAddress::parse("192.0.2.9"), lower,
                            packet::ChecksumVariant::NoPseudoHeader);
  CHECK(f.socket.checksums.back() == packet::ChecksumVariant::NoPseudoHeader);
}

TEST_CASE("runner: a configured checksum variant is used whatever peers send") {
  Fixture f(200);
  InstanceSettings settings = f.runner->settings();
  settings.checksum = packet::ChecksumVariant::PseudoHeader;
  ElectionConfig election;
  election.vrid = 51;
  election.priority = 200;
  election.advert_interval = 10ms;
  f.runner->reconfigure(settings, election);
  f.runner->start(true, {});
  REQUIRE(f.run_until([&] { return f.state() == State::Master; }));
  Advert lower;
  lower.vrid = 51;
  lower.priority = 100;
  lower.max_advert_interval = Centiseconds(1);
  f.runner->advert_received(*IpAddress::parse("192.0.2.9"), lower,
                            packet::ChecksumVariant::NoPseudoHeader);
  CHECK(f.socket.checksums.back() == packet::ChecksumVariant::PseudoHeader);
}

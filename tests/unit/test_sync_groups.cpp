// Sync groups: members leave MASTER together, are held in FAULT together, and a member
// becoming MASTER lifts the group's resign from the others. Real runners on a private loop
// with recording fake ports; events are injected directly.
#include <doctest/doctest.h>

#include <map>
#include <memory>

#include "agent/logging.hpp"
#include "agent/sync_groups.hpp"
#include "fake_ports.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

struct Member {
  testing::FakeAdvertSocket socket;
  testing::FakeAddressManager addresses;
  testing::FakeAnnouncer announcer;
  std::unique_ptr<InstanceRunner> runner;
};

struct Fixture {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  StateChangeLog state_log{LogTarget::Stderr};
  std::map<std::string, Member> members;
  SyncGroups groups;

  Fixture() {
    std::uint8_t vrid = 51;
    for (const char* name : {"web", "db", "solo"}) {
      auto& m = members[name];
      ElectionConfig election;
      election.vrid = vrid;
      election.priority = 150;
      election.advert_interval = 10ms;
      election.primary_address = *IpAddress::parse("192.0.2.1");
      InstanceSettings settings{name, "eth0", {*IpPrefix::parse("192.0.2." + std::to_string(vrid++))}};
      m.runner = std::make_unique<InstanceRunner>(
          loop, settings, election, InstancePorts{m.socket, m.addresses, m.announcer}, state_log);
    }
    groups.configure({conf::GroupConfig{"lb", {"web", "db"}, {}}},
                     {runner("web"), runner("db"), runner("solo")});
  }
  ~Fixture() {
    members.clear();
    ev_loop_destroy(loop);
  }
  InstanceRunner* runner(const std::string& name) { return members.at(name).runner.get(); }
  State state(const std::string& name) { return runner(name)->state().state; }
  void start_all_as_master() {
    for (auto& [name, m] : members) m.runner->start(true, {});
    // Alone on the link: each master down timer (about 30 ms) runs out.
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline &&
           !(state("web") == State::Master && state("db") == State::Master &&
             state("solo") == State::Master)) {
      ev_run(loop, EVRUN_ONCE);
    }
    REQUIRE(state("web") == State::Master);
    REQUIRE(state("db") == State::Master);
  }
};

}  // namespace

TEST_CASE("sync group: a member that resigns takes the other members out of MASTER") {
  Fixture f;
  f.start_all_as_master();
  f.runner("web")->resign();
  CHECK(f.state("web") == State::Backup);
  CHECK(f.state("db") == State::Backup);
  CHECK(f.runner("db")->state().resigned);  // and it does not preempt back
  CHECK(f.runner("db")->last_change().reason ==
        "sync group 'lb': web left MASTER (resigned by the operator)");
  CHECK(f.state("solo") == State::Master);  // not in the group
}

TEST_CASE("sync group: a member in FAULT holds the others in FAULT until it recovers") {
  Fixture f;
  f.start_all_as_master();
  f.runner("db")->link_changed(false);
  CHECK(f.state("db") == State::Fault);
  CHECK(f.state("web") == State::Fault);
  REQUIRE(f.runner("web")->state().group_fault.has_value());
  CHECK(*f.runner("web")->state().group_fault == "sync group 'lb': db in FAULT (link down)");
  CHECK(f.state("solo") == State::Master);
  f.runner("db")->link_changed(true);
  CHECK(f.state("db") == State::Backup);
  CHECK(f.state("web") == State::Backup);
  CHECK_FALSE(f.runner("web")->state().group_fault.has_value());
}

TEST_CASE("sync group: holds never sustain each other") {
  Fixture f;
  f.start_all_as_master();
  f.runner("web")->health_changed(false, "check 'x' failing (fault)");
  f.runner("db")->link_changed(false);
  f.runner("web")->health_changed(true, "check 'x' passing");
  CHECK(f.state("web") == State::Fault);  // still held: db's link is down
  f.runner("db")->link_changed(true);
  CHECK(f.state("web") == State::Backup);
  CHECK(f.state("db") == State::Backup);
}

TEST_CASE("sync group: a member becoming MASTER lifts the group resign from the others") {
  Fixture f;
  f.start_all_as_master();
  f.runner("web")->resign();
  REQUIRE(f.runner("db")->state().resigned);
  // web's master down timer runs out (nobody else on the link): it becomes MASTER again.
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < deadline && f.state("web") != State::Master)
    ev_run(f.loop, EVRUN_ONCE);
  REQUIRE(f.state("web") == State::Master);
  CHECK_FALSE(f.runner("db")->state().resigned);
}

TEST_CASE("sync group: a reload that drops the group releases its members") {
  Fixture f;
  f.start_all_as_master();
  f.runner("db")->link_changed(false);
  REQUIRE(f.state("web") == State::Fault);
  f.groups.configure({}, {f.runner("web"), f.runner("db"), f.runner("solo")});
  CHECK(f.state("web") == State::Backup);
  CHECK(f.groups.group_of("web") == nullptr);
}

TEST_CASE("sync group: the hold names the first other member in FAULT of its own") {
  Fixture f;
  const std::vector<InstanceRunner*> all{f.runner("web"), f.runner("db")};
  CHECK_FALSE(group_fault_for("lb", *f.runner("web"), all).has_value());
  f.runner("db")->health_changed(false, "interface eth1 failing (fault)");
  CHECK(group_fault_for("lb", *f.runner("web"), all) ==
        "sync group 'lb': db in FAULT (interface eth1 failing (fault))");
  CHECK_FALSE(group_fault_for("lb", *f.runner("db"), all).has_value());  // not itself
}

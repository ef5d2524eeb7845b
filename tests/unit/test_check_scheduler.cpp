// The scheduler: periodic runs through rise/fall, flips reported once, a run still in
// flight at the next interval is skipped. A scripted fake probe on a private loop makes the
// sequences exact; one case runs a real script on the default loop.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "check_helpers/loop_wait.hpp"
#include "checks/check_scheduler.hpp"

using namespace floatd::checks;
using namespace std::chrono_literals;

namespace {

// Answers each run from a script of outcomes; with `hold`, keeps the run in flight until
// release() is called.
class FakeProbe final : public Probe {
 public:
  std::deque<bool> outcomes;
  bool hold = false;
  int starts = 0;

  std::optional<ProbeResult> start(Done done) override {
    ++starts;
    REQUIRE_FALSE(running());
    const bool pass = outcomes.empty() ? true : outcomes.front();
    if (!outcomes.empty()) outcomes.pop_front();
    ProbeResult r;
    r.passed = pass;
    r.exit_code = pass ? 0 : 1;
    if (!hold) return r;
    pending_ = r;
    done_ = std::move(done);
    return std::nullopt;
  }
  bool running() const override { return static_cast<bool>(done_); }
  void release() {
    Done done = std::move(done_);
    done_ = nullptr;
    done(pending_);
  }

 private:
  ProbeResult pending_;
  Done done_;
};

struct Change {
  std::string name;
  bool passing;
  std::string reason;
};

struct Fixture {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  FakeProbe* probe = nullptr;  // owned by the scheduler
  std::vector<Change> changes;
  std::vector<bool> results;
  int skips = 0;
  std::unique_ptr<CheckScheduler> scheduler;

  explicit Fixture(int rise, int fall, std::deque<bool> outcomes = {}) {
    auto fake = std::make_unique<FakeProbe>();
    fake->outcomes = std::move(outcomes);
    probe = fake.get();
    std::vector<CheckScheduler::Check> checks;
    checks.push_back({CheckSpec{"web", {"/bin/true"}, "", 10ms, 5ms, rise, fall}, std::move(fake)});
    CheckCallbacks callbacks;
    callbacks.on_change = [this](const std::string& name, bool passing, const std::string& why) {
      changes.push_back({name, passing, why});
    };
    callbacks.on_result = [this](const std::string&, const ProbeResult& r) {
      results.push_back(r.passed);
    };
    callbacks.on_skip = [this](const std::string&) { ++skips; };
    scheduler = std::make_unique<CheckScheduler>(loop, std::move(checks), callbacks);
  }
  ~Fixture() {
    scheduler.reset();
    ev_loop_destroy(loop);
  }
  bool run_results(std::size_t n) {
    return testing::run_until(loop, [&] { return results.size() >= n; });
  }
};

}  // namespace

TEST_CASE("scheduler: Unknown until the first run, then rise successes make it passing") {
  Fixture f(2, 2, {true, true, true});
  CHECK(f.scheduler->health("web") == Health::Unknown);
  f.scheduler->start();
  REQUIRE(f.run_results(1));
  CHECK(f.changes.empty());
  CHECK(f.scheduler->health("web") == Health::Unknown);
  REQUIRE(f.run_results(3));
  REQUIRE(f.changes.size() == 1);
  CHECK(f.changes[0].name == "web");
  CHECK(f.changes[0].passing);
  CHECK(f.changes[0].reason == "exit 0 (2 in a row)");
  CHECK(f.scheduler->health("web") == Health::Passing);
}

TEST_CASE("scheduler: a first failure is reported at once, as failing") {
  Fixture f(2, 3, {false});
  f.scheduler->start();
  REQUIRE(f.run_results(1));
  REQUIRE(f.changes.size() == 1);
  CHECK_FALSE(f.changes[0].passing);
  CHECK(f.changes[0].reason == "exit 1 (1 in a row)");
}

TEST_CASE("scheduler: an alternating check is reported only after rise/fall streaks") {
  // pass pass | fail pass fail pass | fail fail | pass fail | pass pass
  Fixture f(2, 2, {true, true, false, true, false, true, false, false, true, false, true, true});
  f.scheduler->start();
  REQUIRE(f.run_results(12));
  REQUIRE(f.changes.size() == 3);
  CHECK(f.changes[0].passing);
  CHECK_FALSE(f.changes[1].passing);
  CHECK(f.changes[1].reason == "exit 1 (2 in a row)");
  CHECK(f.changes[2].passing);
  CHECK(f.results == std::vector<bool>{true, true, false, true, false, true, false, false, true,
                                       false, true, true});
}

TEST_CASE("scheduler: a run still in flight at the next interval is skipped, not doubled") {
  Fixture f(1, 1, {false});
  f.probe->hold = true;
  f.scheduler->start();
  REQUIRE(testing::run_until(f.loop, [&] { return f.skips >= 3; }));
  CHECK(f.probe->starts == 1);
  CHECK(f.scheduler->skipped("web") >= 3);
  CHECK(f.results.empty());

  f.probe->hold = false;
  f.probe->release();
  CHECK(f.results == std::vector<bool>{false});
  REQUIRE(f.changes.size() == 1);
  CHECK_FALSE(f.changes[0].passing);
  REQUIRE(f.run_results(2));  // runs resume at the next interval
  CHECK(f.probe->starts >= 2);
}

TEST_CASE("scheduler: bad settings are refused at construction") {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  auto make = [&](floatd::Duration interval, int rise, int fall) {
    std::vector<CheckScheduler::Check> checks;
    checks.push_back({CheckSpec{"x", {"/bin/true"}, "", interval, 1ms, rise, fall},
                      std::make_unique<FakeProbe>()});
    CheckCallbacks callbacks;
    callbacks.on_change = [](const std::string&, bool, const std::string&) {};
    CheckScheduler s(loop, std::move(checks), callbacks);
  };
  auto without_on_change = [&] {
    std::vector<CheckScheduler::Check> checks;
    CheckScheduler s(loop, std::move(checks), CheckCallbacks{});
  };
  CHECK_THROWS_AS(without_on_change(), std::invalid_argument);
  CHECK_THROWS_AS(make(0ms, 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(make(10ms, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(make(10ms, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(make_probe(loop, CheckSpec{"x", {}, "", 1s, 1s, 1, 1}, std::nullopt),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_probe(loop, CheckSpec{"x", {"/bin/true"}, "127.0.0.1:1", 1s, 1s, 1, 1},
                             std::nullopt),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_probe(loop, CheckSpec{"x", {}, "localhost:80", 1s, 1s, 1, 1},
                             std::nullopt),
                  std::invalid_argument);
  ev_loop_destroy(loop);
}

TEST_CASE("scheduler: a real script check follows a file appearing and disappearing") {
  char templ[] = "/tmp/floatd-sched-XXXXXX";
  REQUIRE(mkdtemp(templ));
  const std::string flag = std::string(templ) + "/ok";
  struct ev_loop* loop = EV_DEFAULT;
  const CheckSpec spec{"web", {"/bin/sh", "-c", "test -e " + flag}, "", 30ms, 1s, 2, 2};
  std::vector<CheckScheduler::Check> checks;
  checks.push_back({spec, make_probe(loop, spec, std::nullopt)});
  std::vector<Change> changes;
  CheckCallbacks callbacks;
  callbacks.on_change = [&](const std::string& name, bool passing, const std::string& why) {
    changes.push_back({name, passing, why});
  };
  CheckScheduler scheduler(loop, std::move(checks), callbacks);
  scheduler.start();

  REQUIRE(testing::run_until(loop, [&] { return changes.size() == 1; }));
  CHECK_FALSE(changes[0].passing);
  CHECK(changes[0].reason == "exit 1 (1 in a row)");

  close(open(flag.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  REQUIRE(testing::run_until(loop, [&] { return changes.size() == 2; }));
  CHECK(changes[1].passing);

  unlink(flag.c_str());
  REQUIRE(testing::run_until(loop, [&] { return changes.size() == 3; }));
  CHECK_FALSE(changes[2].passing);
  CHECK(changes[2].reason == "exit 1 (2 in a row)");
  rmdir(templ);
}

TEST_CASE("scheduler: a check added while running runs at once, from the health it is given") {
  Fixture f(2, 2, {true, true});
  f.scheduler->start();
  auto fake = std::make_unique<FakeProbe>();
  fake->outcomes = {false};
  FakeProbe* added = fake.get();
  f.scheduler->add({CheckSpec{"db", {"/bin/true"}, "", 10ms, 5ms, 1, 2}, std::move(fake)},
                   Health::Passing);
  CHECK(f.scheduler->health("db") == Health::Passing);
  REQUIRE(testing::run_until(f.loop, [&] { return added->starts >= 1; }));
  // One failure of a fall-2 check that was passing: still passing, nothing reported.
  CHECK(f.scheduler->health("db") == Health::Passing);
  for (const auto& c : f.changes) CHECK(c.name != "db");
  CHECK_THROWS_AS(f.scheduler->add({CheckSpec{"db", {"/bin/true"}, "", 10ms, 5ms, 1, 1},
                                    std::make_unique<FakeProbe>()}),
                  std::invalid_argument);
}

TEST_CASE("scheduler: a removed check stops running and is forgotten") {
  Fixture f(1, 1, {});
  f.scheduler->start();
  REQUIRE(f.run_results(1));
  f.scheduler->remove("web");
  CHECK_THROWS_AS(f.scheduler->health("web"), std::out_of_range);
  CHECK_THROWS_AS(f.scheduler->remove("web"), std::out_of_range);
  const auto runs = f.results.size();
  // Ten intervals later the removed check has not run again.
  ev_timer deadline;
  ev_timer_init(&deadline, [](struct ev_loop* l, ev_timer*, int) { ev_break(l, EVBREAK_ONE); },
                0.1, 0.);
  ev_timer_start(f.loop, &deadline);
  ev_run(f.loop, 0);
  CHECK(f.results.size() == runs);
}

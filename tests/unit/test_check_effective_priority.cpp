// Trackers -> effective priority: keepalived's weight semantics, clamping to 1..254, the
// owner at 255, FAULT for weight 0, file values times weight, and the reason text.
#include <doctest/doctest.h>

#include <vector>

#include "checks/effective_priority.hpp"

using namespace floatd::checks;

namespace {

StatusTracker check(const char* name, int weight, bool failing) {
  return {std::string("check '") + name + "'", weight, failing};
}
ValueTracker file(int weight, int value) { return {"file /run/floatd/demote", weight, value}; }

EffectivePriority compute(std::uint8_t base, std::vector<Tracker> trackers) {
  return effective_priority(base, trackers);
}

}  // namespace

TEST_CASE("effective priority: no trackers leave the base priority and no reason") {
  CHECK(compute(150, {}) == EffectivePriority{150, false, ""});
}

TEST_CASE("effective priority: a negative weight applies while the check fails") {
  CHECK(compute(150, {check("web", -100, true)}) ==
        EffectivePriority{50, false, "check 'web' failing (-100)"});
  CHECK(compute(150, {check("web", -100, false)}) == EffectivePriority{150, false, ""});
}

TEST_CASE("effective priority: a positive weight applies while the check passes") {
  CHECK(compute(100, {check("web", 20, false)}) ==
        EffectivePriority{120, false, "check 'web' passing (+20)"});
  CHECK(compute(100, {check("web", 20, true)}) == EffectivePriority{100, false, ""});
}

TEST_CASE("effective priority: weight 0 means FAULT while failing, nothing while passing") {
  const auto failing = compute(150, {check("db", 0, true)});
  CHECK(failing.fault);
  CHECK(failing.priority == 150);
  CHECK(failing.reason == "check 'db' failing (fault)");
  CHECK_FALSE(compute(150, {check("db", 0, false)}).fault);
}

TEST_CASE("effective priority: clamped to 1 at the bottom and 254 at the top") {
  const auto low = compute(50, {check("web", -100, true)});
  CHECK(low.priority == 1);
  CHECK(low.reason == "check 'web' failing (-100); clamped to 1");
  const auto high = compute(250, {check("web", 20, false)});
  CHECK(high.priority == 254);
  CHECK(high.reason == "check 'web' passing (+20); clamped to 254");
}

TEST_CASE("effective priority: the owner stays at 255 whatever the weights") {
  const auto lowered = compute(255, {check("web", -100, true)});
  CHECK(lowered.priority == 255);
  CHECK_FALSE(lowered.fault);
  CHECK(lowered.reason == "check 'web' failing (-100); weights ignored for the address owner");
  CHECK(compute(255, {check("web", 10, false)}).priority == 255);
  CHECK(compute(255, {}) == EffectivePriority{255, false, ""});
}

TEST_CASE("effective priority: a weight-0 tracker still faults the owner") {
  const auto result = compute(255, {check("web", 0, true)});
  CHECK(result.fault);
  CHECK(result.priority == 255);
}

TEST_CASE("effective priority: a file value is multiplied by the weight") {
  CHECK(compute(100, {file(-1, 30)}) ==
        EffectivePriority{70, false, "file /run/floatd/demote = 30 (-30)"});
  CHECK(compute(100, {file(-10, 3)}).priority == 70);
  CHECK(compute(100, {file(2, 5)}).priority == 110);
  CHECK(compute(100, {file(-1, -20)}).priority == 120);  // a negative value raises
  CHECK(compute(100, {file(-1, 0)}) == EffectivePriority{100, false, ""});  // absent file
}

TEST_CASE("effective priority: a file with weight 0 faults on any non-zero value") {
  const auto result = compute(100, {file(0, 1)});
  CHECK(result.fault);
  CHECK(result.reason == "file /run/floatd/demote = 1 (fault)");
  CHECK_FALSE(compute(100, {file(0, 0)}).fault);
}

TEST_CASE("effective priority: several trackers add up and all are named in order") {
  const auto result = compute(200, {check("web", -50, true), check("db", -30, false),
                                    StatusTracker{"interface eth1", -20, true},
                                    check("bonus", 5, false), file(-1, 7)});
  CHECK(result.priority == 200 - 50 - 20 + 5 - 7);
  CHECK_FALSE(result.fault);
  CHECK(result.reason ==
        "check 'web' failing (-50), interface eth1 failing (-20), check 'bonus' passing (+5), "
        "file /run/floatd/demote = 7 (-7)");
}

TEST_CASE("effective priority: a fault and weights together report both") {
  const auto result = compute(150, {check("web", -10, true), check("db", 0, true)});
  CHECK(result.fault);
  CHECK(result.priority == 140);
  CHECK(result.reason == "check 'web' failing (-10), check 'db' failing (fault)");
}

TEST_CASE("effective priority: extreme file values saturate through the clamp") {
  CHECK(compute(100, {file(-254, 2147483647)}).priority == 1);
  CHECK(compute(100, {file(254, 2147483647), file(254, 2147483647)}).priority == 254);
}

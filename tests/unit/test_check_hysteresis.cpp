// Rise/fall hysteresis: the initial Unknown state, the streaks, and flapping that never
// completes a streak.
#include <doctest/doctest.h>

#include <stdexcept>

#include "checks/hysteresis.hpp"

using floatd::checks::Health;
using floatd::checks::Hysteresis;

TEST_CASE("hysteresis: starts Unknown, which is not passing") {
  Hysteresis h(2, 2);
  CHECK(h.health() == Health::Unknown);
  CHECK_FALSE(h.passing());
}

TEST_CASE("hysteresis: from Unknown one failure settles Failing") {
  Hysteresis h(3, 3);
  CHECK(h.record(false));
  CHECK(h.health() == Health::Failing);
  CHECK_FALSE(h.record(false));
}

TEST_CASE("hysteresis: from Unknown passing needs rise successes in a row") {
  Hysteresis h(3, 2);
  CHECK_FALSE(h.record(true));
  CHECK_FALSE(h.record(true));
  CHECK(h.health() == Health::Unknown);
  CHECK(h.record(true));
  CHECK(h.health() == Health::Passing);
}

TEST_CASE("hysteresis: a failure inside the rise streak restarts it") {
  Hysteresis h(2, 2);
  h.record(true);
  CHECK(h.record(false));  // Unknown -> Failing
  CHECK_FALSE(h.record(true));
  CHECK(h.record(true));
  CHECK(h.passing());
}

TEST_CASE("hysteresis: passing turns failing after fall failures, not before") {
  Hysteresis h(1, 3);
  CHECK(h.record(true));
  CHECK_FALSE(h.record(false));
  CHECK_FALSE(h.record(false));
  CHECK(h.passing());
  CHECK(h.record(false));
  CHECK(h.health() == Health::Failing);
}

TEST_CASE("hysteresis: rise 1 and fall 1 follow every result") {
  Hysteresis h(1, 1);
  CHECK(h.record(true));
  CHECK(h.record(false));
  CHECK(h.record(true));
  CHECK_FALSE(h.record(true));
  CHECK(h.record(false));
  CHECK_FALSE(h.record(false));
}

TEST_CASE("hysteresis: alternating results never complete a streak of 2") {
  Hysteresis h(2, 2);
  h.record(true);
  h.record(true);
  REQUIRE(h.passing());
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(h.record(false));
    CHECK_FALSE(h.record(true));
  }
  CHECK(h.passing());

  Hysteresis failing(2, 2);
  failing.record(false);
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(failing.record(true));
    CHECK_FALSE(failing.record(false));
  }
  CHECK(failing.health() == Health::Failing);
}

TEST_CASE("hysteresis: long streaks do not overflow and the next flip still takes fall") {
  Hysteresis h(2, 2);
  for (int i = 0; i < 100000; ++i) h.record(true);
  CHECK_FALSE(h.record(false));
  CHECK(h.record(false));
}

TEST_CASE("hysteresis: rise or fall below 1 is a configuration error") {
  CHECK_THROWS_AS(Hysteresis(0, 1), std::invalid_argument);
  CHECK_THROWS_AS(Hysteresis(1, 0), std::invalid_argument);
}

TEST_CASE("hysteresis: a reloaded check keeps its verdict and still needs a full streak") {
  Hysteresis passing(2, 3, Health::Passing);
  CHECK(passing.passing());
  CHECK_FALSE(passing.record(false));
  CHECK_FALSE(passing.record(false));
  CHECK(passing.record(false));
  CHECK(passing.health() == Health::Failing);

  Hysteresis failing(2, 3, Health::Failing);
  CHECK(failing.health() == Health::Failing);
  CHECK_FALSE(failing.record(true));
  CHECK(failing.record(true));
  CHECK(failing.passing());
}

#include <doctest/doctest.h>

#include <limits>

#include "conf/duration.hpp"

namespace {

using floatd::Duration;
using floatd::conf::format_duration;
using floatd::conf::parse_duration;
using namespace std::chrono_literals;

}  // namespace

TEST_CASE("parse_duration: every unit") {
  CHECK(parse_duration("250us") == Duration(250us));
  CHECK(parse_duration("100ms") == Duration(100ms));
  CHECK(parse_duration("1s") == Duration(1s));
  CHECK(parse_duration("2m") == Duration(2min));
  CHECK(parse_duration("1h") == Duration(1h));
  CHECK(parse_duration("0s") == Duration(0s));
  CHECK(parse_duration("007ms") == Duration(7ms));
}

TEST_CASE("parse_duration: fractions that are whole microseconds") {
  CHECK(parse_duration("1.5s") == Duration(1500ms));
  CHECK(parse_duration("0.25s") == Duration(250ms));
  CHECK(parse_duration("1.50s") == Duration(1500ms));
  CHECK(parse_duration("0.5m") == Duration(30s));
  CHECK(parse_duration("0.001ms") == Duration(1us));
  CHECK(parse_duration("2.000000000000s") == Duration(2s));  // trailing zeros are not precision
  CHECK_FALSE(parse_duration("0.0001ms").has_value());       // 0.1us
  CHECK_FALSE(parse_duration("1.5us").has_value());
}

TEST_CASE("parse_duration: rejects malformed text") {
  for (const char* text : {"", "100", "-1s", "+1s", "1 s", " 1s", "1s ", "5d", "1S", "1MS", "ms",
                           "s", "1.s", ".5s", "1..5s", "1e3ms", "1,5s", "1s1s", "0x10ms"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_duration(text).has_value());
  }
}

TEST_CASE("parse_duration: rejects values that overflow") {
  constexpr auto kMax = std::numeric_limits<Duration::rep>::max();
  CHECK(parse_duration("9223372036854775807us") == Duration(kMax));
  CHECK_FALSE(parse_duration("9223372036854775808us").has_value());
  CHECK(parse_duration("2562047788h") == Duration(2562047788h));  // 9223372036800000000us
  CHECK_FALSE(parse_duration("2562047789h").has_value());
  CHECK_FALSE(parse_duration("99999999999999999999999h").has_value());
  CHECK_FALSE(parse_duration("9223372036854775807.5us").has_value());
}

TEST_CASE("format_duration: shortest exact unit") {
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(2000ms) == "2s");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(120s) == "2m");
  CHECK(format_duration(3600s) == "1h");
  CHECK(format_duration(40950ms) == "40950ms");
  CHECK(format_duration(250us) == "250us");
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(-1500ms) == "-1500ms");
}

TEST_CASE("format_duration output parses back to the same value") {
  for (const Duration d : {Duration(1us), Duration(10ms), Duration(1500ms), Duration(61s),
                           Duration(90min), Duration(25h), Duration(0s)}) {
    CAPTURE(d.count());
    CHECK(parse_duration(format_duration(d)) == d);
  }
}

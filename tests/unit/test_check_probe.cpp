// How probe results read in logs and reasons: the first output line (sanitised), the
// description of each kind of outcome, durations with units.
#include <doctest/doctest.h>

#include <csignal>

#include "checks/probe.hpp"

using namespace floatd::checks;
using namespace std::chrono_literals;

TEST_CASE("probe: first_line stops at the newline and neutralises control characters") {
  CHECK(first_line("ok\nsecond\n") == "ok");
  CHECK(first_line("windows\r\nsecond") == "windows");
  CHECK(first_line("no newline") == "no newline");
  CHECK(first_line("") == "");
  CHECK(first_line("a\tb\x1b[31mred\x7f") == "a?b?[31mred?");
}

TEST_CASE("probe: describe names the outcome, then the output line") {
  ProbeResult r;
  r.passed = true;
  r.exit_code = 0;
  CHECK(describe(r) == "exit 0");
  r = {};
  r.exit_code = 3;
  r.output = "disk full";
  CHECK(describe(r) == "exit 3: disk full");
  r = {};
  r.signal = SIGSEGV;
  CHECK(describe(r) == "killed by signal SEGV");
  r = {};
  r.signal = SIGKILL;
  r.timed_out = true;
  r.error = "timed out after 200ms";
  CHECK(describe(r) == "timed out after 200ms");
  r = {};
  r.exit_code = 1;
  r.output = std::string(1000, 'x');
  CHECK(describe(r) == "exit 1: " + std::string(200, 'x') + "...");
}

TEST_CASE("probe: durations keep their natural unit") {
  CHECK(format_duration(200ms) == "200ms");
  CHECK(format_duration(1s) == "1s");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(2500us) == "2.5ms");
  CHECK(format_duration(60s) == "60s");
}

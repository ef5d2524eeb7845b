// floatd doctor: running helper programs, bounded in time, with a clean environment.
#include <doctest/doctest.h>

#include <chrono>

#include "agent/doctor_command.hpp"

using namespace floatd::doctor;
using namespace std::chrono_literals;

TEST_CASE("doctor command: output, errors and the exit status are captured") {
  const auto r = run_command({"/bin/sh", "-c", "echo out; echo err >&2; echo $PATH; exit 3"}, 5s);
  CHECK(r.ran);
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n/usr/sbin:/usr/bin:/sbin:/bin\n");
  CHECK(r.err == "err\n");
  CHECK(first_error_line(r) == "err");
}

TEST_CASE("doctor command: a hanging program is killed at the timeout") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_command({"/bin/sleep", "30"}, 200ms);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK_FALSE(r.ran);
  CHECK(r.error == "/bin/sleep timed out after 200ms");
}

TEST_CASE("doctor command: a missing program is an error, not a crash") {
  const auto r = run_command({"/nonexistent/nft"}, 1s);
  CHECK_FALSE(r.ran);
  CHECK(r.error.find("/nonexistent/nft") == 0);
  CHECK(find_program("sh"));
  CHECK_FALSE(find_program("floatd-no-such-program"));
}

TEST_CASE("doctor command: a program that closes its output but runs on is killed too") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_command({"/bin/sh", "-c", "exec >/dev/null 2>&1; sleep 30"}, 300ms);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK_FALSE(r.ran);
  CHECK(r.error == "/bin/sh timed out after 300ms");
}

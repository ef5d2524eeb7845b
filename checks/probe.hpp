// What every health probe (a script, a TCP connect) reports, and the seam the scheduler
// drives them through, so the scheduler can be tested with a fake probe.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/time.hpp"

namespace floatd::checks {

struct ProbeResult {
  bool passed = false;            // scripts: exited with status 0; tcp: connected
  bool timed_out = false;         // killed (scripts) or abandoned (tcp) at the timeout
  std::optional<int> exit_code;   // a script that exited
  std::optional<int> signal;      // a script killed by a signal (SIGKILL after a timeout)
  Duration duration{0};
  std::string output;             // first line of the script's stdout+stderr, capped
  std::string error;              // why it failed without an exit code: refused, timeout, errno
};

// One line for logs and state-change reasons: "exit 3: disk full", "timed out after 200ms",
// "killed by signal SEGV", "refusing to run /x: writable by others".
std::string describe(const ProbeResult& result);

// The first line of `captured`, without the newline, control characters replaced by '?'
// so a script cannot forge log lines.
std::string first_line(std::string_view captured);

// "200ms", "1.5s": durations in reasons.
std::string format_duration(Duration d);

class Probe {
 public:
  using Done = std::function<void(const ProbeResult&)>;
  virtual ~Probe() = default;

  // Starts one run. When the outcome is known at once (the run could not start, or a probe
  // decided synchronously) it is returned and `done` is never called; otherwise `done` is
  // called exactly once, later, from the event loop. Destroying the probe or starting the
  // next run from inside `done` is allowed. Precondition: !running().
  virtual std::optional<ProbeResult> start(Done done) = 0;
  virtual bool running() const = 0;
};

}  // namespace floatd::checks

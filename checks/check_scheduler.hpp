// Runs every configured check every `interval` (start to start), at most one run of a
// check in flight, feeds the results through rise/fall hysteresis and reports flips.
// Checks start in Health::Unknown, which callers treat as failing (see hysteresis.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ev.h>

#include "checks/hysteresis.hpp"
#include "checks/probe.hpp"
#include "checks/script_user.hpp"

namespace floatd::checks {

// One [[check]], independent of conf/ (the daemon maps conf::CheckConfig onto it). Every
// member has a default initialiser, so initialisers may leave any of them out (GCC's
// -Wmissing-field-initializers stays quiet).
struct CheckSpec {
  std::string name{};
  std::vector<std::string> argv{};  // a script check (argv, no shell)...
  std::string tcp{};                // ...or a connect probe: "127.0.0.1:80", "[::1]:80"
  Duration interval = std::chrono::seconds(1);
  Duration timeout = std::chrono::milliseconds(500);
  int rise = 2;
  int fall = 2;
  // ...or an HTTP probe: "http://127.0.0.1/health" answering expect_status. Last, so the
  // positional initialisers above keep working.
  std::string http{};
  int expect_status = 200;
};

// The probe a spec asks for: a ScriptRunner (`loop` must then be EV_DEFAULT; run as
// `script_user`, or as ourselves when nullopt), a TcpProbe or an HttpProbe. Start-up time
// only: std::invalid_argument for a spec without exactly one of argv, tcp and http, a bad
// address or a bad URL.
std::unique_ptr<Probe> make_probe(struct ev_loop* loop, const CheckSpec& spec,
                                  const std::optional<ScriptUser>& script_user);

struct CheckCallbacks {
  // A check flipped; reason is the deciding run and the streak: "exit 3: oops (2 in a row)".
  std::function<void(const std::string& name, bool passing, const std::string& reason)>
      on_change;
  // Optional: every finished run (metrics, debug logs).
  std::function<void(const std::string& name, const ProbeResult& result)> on_result;
  // Optional: the interval came while the previous run was still in flight; skipped.
  std::function<void(const std::string& name)> on_skip;
};

class CheckScheduler {
 public:
  struct Check {
    CheckSpec spec;
    std::unique_ptr<Probe> probe;
  };

  // Throws std::invalid_argument for rise/fall < 1, a non-positive interval or no
  // on_change. The callbacks must not destroy the scheduler.
  CheckScheduler(struct ev_loop* loop, std::vector<Check> checks, CheckCallbacks callbacks);
  ~CheckScheduler();
  CheckScheduler(const CheckScheduler&) = delete;
  CheckScheduler& operator=(const CheckScheduler&) = delete;

  // Arms the timers. Check i of n first runs after i/n of min(interval, 1s): soon, and not
  // all at the same instant for ever after.
  void start();

  // Reload: a new check (or a changed one, removed first) joins with `initial` health
  // (see Hysteresis); it runs soon if the scheduler is started. Throws like the constructor,
  // and std::invalid_argument for a name already scheduled.
  void add(Check check, Health initial = Health::Unknown);
  // Stops the check and drops it; a run in flight is killed by its probe. Unknown names:
  // std::out_of_range.
  void remove(std::string_view name);

  Health health(std::string_view name) const;     // std::out_of_range for an unknown name
  std::uint64_t skipped(std::string_view name) const;

 private:
  struct Slot {
    CheckScheduler* owner;
    CheckSpec spec;
    std::unique_ptr<Probe> probe;
    Hysteresis hysteresis;
    std::uint64_t skipped = 0;
    ev_timer timer{};
  };

  std::unique_ptr<Slot> make_slot(Check check, Health initial);
  void arm(Slot& slot, Duration first_run);
  static void on_timer(struct ev_loop* loop, ev_timer* watcher, int revents);
  void run(Slot& slot);
  void record(Slot& slot, const ProbeResult& result);
  const Slot& find(std::string_view name) const;

  struct ev_loop* loop_;
  CheckCallbacks callbacks_;
  std::vector<std::unique_ptr<Slot>> slots_;  // stable addresses: watchers point into them
  bool started_ = false;
};

}  // namespace floatd::checks

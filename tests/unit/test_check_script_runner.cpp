// The script runner on libev's default loop: exit codes, output capture and cap, the
// timeout that kills a whole process group, a clean environment, argv without a shell,
// no zombies and no descriptor growth. Every case runs as ourselves (posix_spawn); as root
// it runs again as "nobody" (the fork + setuid path).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_helpers/loop_wait.hpp"
#include "checks/script_runner.hpp"

using namespace floatd::checks;
using namespace std::chrono_literals;
using floatd::Duration;

namespace {

struct Mode {
  const char* name;
  std::optional<ScriptUser> user;
};

std::vector<Mode> modes() {
  std::vector<Mode> out{{"as ourselves (posix_spawn)", std::nullopt}};
  if (geteuid() == 0) out.push_back({"as nobody (fork, setuid)", lookup_script_user("nobody")});
  return out;
}

struct Outcome {
  std::optional<ProbeResult> result;
  bool reported_later = false;  // through `done`, not returned by start()
};

Outcome run(const std::vector<std::string>& argv, const std::optional<ScriptUser>& user,
            Duration timeout = 5s) {
  struct ev_loop* loop = EV_DEFAULT;
  ScriptRunner runner(loop, ScriptSpec{argv, timeout, user});
  Outcome outcome;
  outcome.result = runner.start([&](const ProbeResult& r) {
    outcome.result = r;
    outcome.reported_later = true;
  });
  REQUIRE(testing::run_until(loop, [&] { return outcome.result.has_value(); }, 10s));
  return outcome;
}

ProbeResult run_sh(const std::string& script, const std::optional<ScriptUser>& user,
                   Duration timeout = 5s) {
  return *run({"/bin/sh", "-c", script}, user, timeout).result;
}

bool dead(pid_t pid) {
  const char state = testing::process_state(pid);
  return state == '\0' || state == 'Z';  // a zombie of init's is dead to us
}

}  // namespace

TEST_CASE("script runner: exit 0 passes, exit 3 fails with code 3 and its first line") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const Outcome ok = run({"/bin/true"}, mode.user);
    CHECK(ok.reported_later);
    CHECK(ok.result->passed);
    CHECK(ok.result->exit_code == 0);
    CHECK(describe(*ok.result) == "exit 0");

    const ProbeResult fail = run_sh("echo 'disk full'; echo second line; exit 3", mode.user);
    CHECK_FALSE(fail.passed);
    CHECK(fail.exit_code == 3);
    CHECK_FALSE(fail.timed_out);
    CHECK(fail.output == "disk full");
    CHECK(describe(fail) == "exit 3: disk full");
  }
}

TEST_CASE("script runner: stderr is captured too") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    CHECK(run_sh("echo oops >&2; exit 1", mode.user).output == "oops");
  }
}

TEST_CASE("script runner: 1 MB of output is drained and capped, the script is not blocked") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult r =
        run_sh("head -c 1048576 /dev/zero | tr '\\0' a; echo; echo done", mode.user, 5s);
    CHECK(r.passed);
    CHECK(r.output.size() == kOutputCap);
    CHECK(r.output.find_first_not_of('a') == std::string::npos);
    CHECK(describe(r).size() < 300);  // the reason shortens it further
  }
}

TEST_CASE("script runner: a script writing without end neither blocks the loop nor escapes "
          "its timeout") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult r = *run({"/usr/bin/yes"}, mode.user, 300ms).result;
    CHECK(r.timed_out);
    CHECK(r.output == "y");
    CHECK(r.duration < 2s);
  }
}

// Of this process's ignored signals, glibc's internal 32 and 33, as /proc/PID/status shows.
std::string internal_signals_ignored_here() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigIgn:", 0) != 0) continue;
    const auto mask = std::stoull(line.substr(7), nullptr, 16) & 0x180000000ULL;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", mask);
    return hex;
  }
  return "?";
}

TEST_CASE("script runner: signals ignored or blocked by floatd are not inherited") {
  struct sigaction ignore{};
  struct sigaction saved_pipe{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &saved_pipe);
  sigset_t usr1;
  sigset_t saved_mask;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, &saved_mask);
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult r = *run({"/usr/bin/awk", "/^Sig(Blk|Ign)/ { printf \"%s%s \", $1, $2 }",
                                "/proc/self/status"},
                               mode.user)
                               .result;
    // posix_spawn leaves glibc's internal signals 32 and 33 ignored (see checks/spawn.hpp);
    // the fork path keeps whatever our own process had for them (glibc cannot reset them),
    // which depends on how the test was started (make starts it with them ignored).
    const auto ignored = mode.user ? internal_signals_ignored_here() : std::string("0000000180000000");
    CHECK(r.output == std::string("SigBlk:0000000000000000 SigIgn:") + ignored + " ");
  }
  pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  sigaction(SIGPIPE, &saved_pipe, nullptr);
}

TEST_CASE("script runner: a script past its timeout is killed and reported as timed out") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult r = *run({"/bin/sleep", "30"}, mode.user, 200ms).result;
    CHECK_FALSE(r.passed);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK(r.error == "timed out after 200ms");
    CHECK(describe(r) == "timed out after 200ms");
    CHECK(r.duration >= 200ms);
    CHECK(r.duration < 2s);
  }
}

TEST_CASE("script runner: the timeout kills the whole process group, grandchildren too") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult r = run_sh("sleep 30 & echo $!; sleep 30", mode.user, 300ms);
    CHECK(r.timed_out);
    const pid_t grandchild = static_cast<pid_t>(std::atoi(r.output.c_str()));
    REQUIRE(grandchild > 0);
    CHECK(testing::run_until(EV_DEFAULT, [&] { return dead(grandchild); }, 2s));
  }
}

TEST_CASE("script runner: processes left behind by a finished script are killed") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    // The background sleep keeps the pipe open: without the group kill the run would
    // still be correct, but the sleep would outlive the check.
    const ProbeResult r = run_sh("sleep 30 & echo $!; exit 0", mode.user, 5s);
    CHECK(r.passed);
    CHECK(r.duration < 2s);
    const pid_t leftover = static_cast<pid_t>(std::atoi(r.output.c_str()));
    REQUIRE(leftover > 0);
    CHECK(testing::run_until(EV_DEFAULT, [&] { return dead(leftover); }, 2s));
  }
}

TEST_CASE("script runner: the environment holds PATH only and the directory is /") {
  setenv("FLOATD_TEST_SECRET", "leaked", 1);
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult env = *run({"/usr/bin/env"}, mode.user).result;
    CHECK(env.output == "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
    // All of it on one line: only the shell's own PWD may join PATH.
    const ProbeResult all = run_sh("env | grep -v '^PWD=' | wc -l; pwd", mode.user);
    CHECK(all.output == "1");
    CHECK(run({"/bin/pwd"}, mode.user).result->output == "/");
  }
  unsetenv("FLOATD_TEST_SECRET");
}

TEST_CASE("script runner: arguments arrive verbatim, no shell in between") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ProbeResult r =
        *run({"/usr/bin/printf", "%s|", "a;b", "$HOME", "`id`", "*", "x y"}, mode.user).result;
    CHECK(r.passed);
    CHECK(r.output == "a;b|$HOME|`id`|*|x y|");
  }
}

TEST_CASE("script runner: stdin is /dev/null and no descriptor of ours is inherited") {
  const int leak = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  REQUIRE(leak > 2);
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    // ls opens the directory it lists as fd 3 itself.
    CHECK(run_sh("ls /proc/self/fd | tr '\\n' ' '", mode.user).output == "0 1 2 3 ");
    CHECK(run({"/usr/bin/readlink", "/proc/self/fd/0"}, mode.user).result->output ==
          "/dev/null");
  }
  close(leak);
}

TEST_CASE("script runner: as root the script runs as the script user with its groups only") {
  if (geteuid() != 0) return;  // switching users needs root
  const auto nobody = lookup_script_user("nobody");
  REQUIRE(nobody);
  CHECK(run({"/usr/bin/id", "-u"}, nobody).result->output == std::to_string(nobody->uid));
  CHECK(run({"/usr/bin/id", "-g"}, nobody).result->output == std::to_string(nobody->gid));
  CHECK(run({"/usr/bin/id", "-G"}, nobody).result->output == std::to_string(nobody->gid));
}

TEST_CASE("script runner: a missing executable is a failed result with the reason") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const Outcome o = run({"/nonexistent/check", "arg"}, mode.user);
    CHECK_FALSE(o.reported_later);
    CHECK_FALSE(o.result->passed);
    CHECK(o.result->error == "cannot run /nonexistent/check: No such file or directory");
  }
}

TEST_CASE("script runner: a file execve refuses fails cleanly on both paths") {
  // Root-owned and 0644: the security rules pass, execve says EACCES (no execute bit).
  char templ[] = "/tmp/floatd-noexec-XXXXXX";
  REQUIRE(mkdtemp(templ));
  const std::string file = std::string(templ) + "/check.sh";
  std::ofstream(file) << "#!/bin/sh\nexit 0\n";
  REQUIRE(chmod(file.c_str(), 0644) == 0);

  const Outcome self = run({file}, std::nullopt);
  CHECK_FALSE(self.result->passed);
  CHECK(self.result->error == "cannot run " + file + ": Permission denied");
  if (geteuid() == 0) {
    const Outcome nobody = run({file}, lookup_script_user("nobody"));
    CHECK_FALSE(nobody.result->passed);
    CHECK(nobody.result->exit_code == 127);
    CHECK(nobody.result->output == "floatd: execve failed: errno 13");
  }
  unlink(file.c_str());
  rmdir(templ);
}

TEST_CASE("script runner: an unsafe script is refused before it runs") {
  char templ[] = "/tmp/floatd-runner-XXXXXX";
  REQUIRE(mkdtemp(templ));
  const std::string script = std::string(templ) + "/check.sh";
  const std::string marker = std::string(templ) + "/ran";
  std::ofstream(script) << "#!/bin/sh\ntouch " << marker << "\n";
  REQUIRE(chmod(script.c_str(), 0757) == 0);
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const Outcome o = run({script}, mode.user);
    CHECK_FALSE(o.result->passed);
    CHECK(o.result->error == "refusing to run " + script + ": " + script +
                                 " is writable by others");
    CHECK(access(marker.c_str(), F_OK) != 0);
  }
  REQUIRE(chmod(script.c_str(), 0755) == 0);
  CHECK(run({script}, std::nullopt).result->passed);
  unlink(marker.c_str());
  unlink(script.c_str());
  rmdir(templ);
}

TEST_CASE("script runner: one run at a time, and destroying a runner kills and reaps its run") {
  struct ev_loop* loop = EV_DEFAULT;
  auto runner = std::make_unique<ScriptRunner>(
      loop, ScriptSpec{{"/bin/sh", "-c", "exec sleep 30"}, 30s, std::nullopt});
  bool reported = false;
  REQUIRE_FALSE(runner->start([&](const ProbeResult&) { reported = true; }));
  CHECK(runner->running());
  const auto busy = runner->start([](const ProbeResult&) {});
  REQUIRE(busy);
  CHECK(busy->error == "the previous run is still in flight");

  pid_t child = 0;
  REQUIRE(testing::run_until(loop, [&] { return (child = testing::child_named("sleep")) > 0; }));
  runner.reset();
  CHECK_FALSE(reported);
  // Gone from /proc altogether: killed, then reaped by the default loop.
  CHECK(testing::run_until(loop, [&] { return testing::process_state(child) == '\0'; }, 2s));
  CHECK(testing::zombie_children() == 0);
}

TEST_CASE("script runner: 1000 runs leave no zombie and no extra descriptor") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    struct ev_loop* loop = EV_DEFAULT;
    const int fds_before = testing::open_descriptors();
    ScriptRunner quick(loop, ScriptSpec{{"/bin/true"}, 5s, mode.user});
    ScriptRunner slow(loop, ScriptSpec{{"/bin/sleep", "30"}, 10ms, mode.user});
    const int runs = mode.user ? 300 : 1000;  // fork() is slower than posix_spawn()
    int finished = 0;
    int passed = 0;
    int timed_out = 0;
    for (int i = 0; i < runs; ++i) {
      ScriptRunner& runner = i % 100 == 99 ? slow : quick;
      bool done = false;
      REQUIRE_FALSE(runner.start([&](const ProbeResult& r) {
        done = true;
        ++finished;
        passed += r.passed;
        timed_out += r.timed_out;
      }));
      REQUIRE(testing::run_until(loop, [&] { return done; }, 5s));
    }
    CHECK(finished == runs);
    CHECK(timed_out == runs / 100);
    CHECK(passed == runs - runs / 100);
    CHECK(testing::zombie_children() == 0);
    CHECK(testing::open_descriptors() == fds_before);
  }
}

TEST_CASE("script runner: only the default loop can watch children") {
  struct ev_loop* own = ev_loop_new(EVFLAG_AUTO);
  CHECK_THROWS_AS(ScriptRunner(own, ScriptSpec{{"/bin/true"}, 1s, std::nullopt}),
                  std::invalid_argument);
  ev_loop_destroy(own);
}

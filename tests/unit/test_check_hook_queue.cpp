// The notify hook queue on libev's default loop, with real scripts written to a scratch
// directory: hooks run one at a time in push order, each with its environment and a
// timeout that kills its whole group; failures to start are reported at once and do not
// stall the queue; the backlog drops its oldest entries; destroying the queue leaves no
// process behind; many runs leave no zombie and no descriptor. Cases that spawn run as
// ourselves (posix_spawn) and, as root, again as "nobody" (fork + setuid).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "check_helpers/loop_wait.hpp"
#include "checks/hook_queue.hpp"

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

// Scripts live in a 0755 directory of ours, so they pass script security; what they write
// goes to data/, sticky and world-writable like /tmp, so "nobody" can write there too.
class ScratchDir {
 public:
  ScratchDir() {
    char templ[] = "/tmp/floatd-hooks-XXXXXX";
    REQUIRE(mkdtemp(templ));
    root_ = templ;
    REQUIRE(chmod(root_.c_str(), 0755) == 0);
    REQUIRE(mkdir(data("").c_str(), 0700) == 0);
    REQUIRE(chmod(data("").c_str(), 01777) == 0);  // chmod: mkdir's mode passes the umask
  }
  ~ScratchDir() { std::filesystem::remove_all(root_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string script(const std::string& name, const std::string& body,
                     mode_t mode = 0755) const {
    const std::string path = root_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    REQUIRE(chmod(path.c_str(), mode) == 0);
    return path;
  }
  std::string data(const std::string& name) const { return root_ + "/data/" + name; }

 private:
  std::string root_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Hook hook(std::string label, std::vector<std::string> argv, std::vector<std::string> env = {}) {
  return Hook{std::move(label), std::move(argv), std::move(env)};
}

// What the queue reported, in order.
struct Reports {
  std::vector<std::string> labels;
  std::vector<ProbeResult> results;
  std::vector<std::string> dropped;

  HookQueue::OnDone on_done() {
    return [this](const Hook& h, const ProbeResult& r) {
      labels.push_back(h.label);
      results.push_back(r);
    };
  }
  HookQueue::OnDropped on_dropped() {
    return [this](const Hook& h) { dropped.push_back(h.label); };
  }
  bool have(std::size_t n) const { return results.size() >= n; }
};

bool dead(pid_t pid) {
  const char state = testing::process_state(pid);
  return state == '\0' || state == 'Z';  // a zombie of init's is dead to us
}

}  // namespace

TEST_CASE("hook queue: 50 hooks run one at a time, in push order") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ScratchDir dir;
    // The lock directory proves no two hooks overlap; the varying sleep gives a later hook
    // every chance to overtake an earlier one, were they run concurrently.
    const std::string append = dir.script(
        "append.sh", "mkdir " + dir.data("lock") + " || { echo \"overlap at $FLOATD_SEQ\" >> " +
                         dir.data("overlaps") + "; exit 1; }\n" +
                         "sleep 0.0$((FLOATD_SEQ * 7 % 5))\n" +
                         "echo \"$FLOATD_SEQ\" >> " + dir.data("seq") + "\n" +
                         "rmdir " + dir.data("lock"));
    auto seq_hook = [&](int n) {
      return hook(std::to_string(n), {append}, {"FLOATD_SEQ=" + std::to_string(n)});
    };

    Reports reports;
    HookQueue* queue_ptr = nullptr;
    // Half pushed up front, half from on_done while the queue is busy: both paths append.
    HookQueue queue(EV_DEFAULT, mode.user, 5s, 64, [&](const Hook& h, const ProbeResult& r) {
      reports.on_done()(h, r);
      const int next = std::stoi(h.label) + 25;
      if (next <= 50) queue_ptr->push(seq_hook(next));
    });
    queue_ptr = &queue;
    for (int n = 1; n <= 25; ++n) queue.push(seq_hook(n));
    CHECK(queue.running());
    CHECK(queue.pending() == 24);

    REQUIRE(testing::run_until(EV_DEFAULT, [&] { return reports.have(50); }, 30s));
    std::string expected;
    for (int n = 1; n <= 50; ++n) {
      CHECK(reports.labels[n - 1] == std::to_string(n));
      CHECK(reports.results[n - 1].passed);
      expected += std::to_string(n) + "\n";
    }
    CHECK(read_file(dir.data("seq")) == expected);
    CHECK(read_file(dir.data("overlaps")).empty());
    CHECK_FALSE(queue.running());
    CHECK(queue.pending() == 0);
    CHECK(queue.dropped() == 0);
  }
}

TEST_CASE("hook queue: the hook's entries reach the script after PATH, nothing of ours") {
  setenv("FLOATD_TEST_SECRET", "leaked", 1);
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ScratchDir dir;
    const std::string show = dir.script("env.sh", "env | grep -v '^PWD=' | sort | tr '\\n' ' '");
    Reports reports;
    HookQueue queue(EV_DEFAULT, mode.user, 5s, 8, reports.on_done());
    queue.push(hook("env", {show},
                    {"FLOATD_INSTANCE=web", "FLOATD_TO=MASTER", "FLOATD_REASON=peer gone"}));
    REQUIRE(testing::run_until(EV_DEFAULT, [&] { return reports.have(1); }));
    CHECK(reports.results[0].passed);
    CHECK(reports.results[0].output ==
          "FLOATD_INSTANCE=web FLOATD_REASON=peer gone FLOATD_TO=MASTER "
          "PATH=/usr/sbin:/usr/bin:/sbin:/bin ");
  }
  unsetenv("FLOATD_TEST_SECRET");
}

TEST_CASE("hook queue: a hanging hook is killed at the timeout, the loop keeps going, the "
          "next hook runs") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    Reports reports;
    // 1s: the timeout applies to "next" too, which must not time out on a loaded machine.
    HookQueue queue(EV_DEFAULT, mode.user, 1s, 8, reports.on_done());
    queue.push(hook("hang", {"/bin/sleep", "30"}));
    queue.push(hook("next", {"/bin/echo", "next ran"}));

    // A timer well inside the timeout: it must fire while the hook hangs.
    bool ticked = false;
    ev_timer tick;
    ev_timer_init(&tick, [](struct ev_loop*, ev_timer* w, int) {
      *static_cast<bool*>(w->data) = true;
    }, 0.05, 0.);
    tick.data = &ticked;
    ev_timer_start(EV_DEFAULT, &tick);
    const bool ticked_during_hang =
        testing::run_until(EV_DEFAULT, [&] { return ticked || reports.have(1); }) && ticked &&
        !reports.have(1);
    ev_timer_stop(EV_DEFAULT, &tick);
    CHECK(ticked_during_hang);

    REQUIRE(testing::run_until(EV_DEFAULT, [&] { return reports.have(2); }));
    const ProbeResult& hang = reports.results[0];
    CHECK(reports.labels[0] == "hang");
    CHECK(hang.timed_out);
    CHECK(hang.signal == SIGKILL);
    CHECK(hang.error == "timed out after 1s");
    CHECK(hang.duration >= 1s);
    CHECK(hang.duration < 3s);
    CHECK(reports.labels[1] == "next");
    CHECK(reports.results[1].passed);
    CHECK(reports.results[1].output == "next ran");
  }
}

TEST_CASE("hook queue: a timed-out hook's grandchildren are killed with it") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    Reports reports;
    HookQueue queue(EV_DEFAULT, mode.user, 1s, 8, reports.on_done());
    queue.push(hook("forks", {"/bin/sh", "-c", "sleep 30 & echo $!; sleep 30"}));
    queue.push(hook("next", {"/bin/true"}));
    REQUIRE(testing::run_until(EV_DEFAULT, [&] { return reports.have(2); }));
    CHECK(reports.results[0].timed_out);
    const pid_t grandchild = static_cast<pid_t>(std::atoi(reports.results[0].output.c_str()));
    REQUIRE(grandchild > 0);
    CHECK(testing::run_until(EV_DEFAULT, [&] { return dead(grandchild); }, 2s));
    CHECK(reports.results[1].passed);
  }
}

TEST_CASE("hook queue: hooks that cannot start are reported at once and do not stall it") {
  const ScratchDir dir;
  const std::string marker = dir.data("ran");
  const std::string unsafe = dir.script("unsafe.sh", "touch " + marker, 0757);
  Reports reports;
  HookQueue queue(EV_DEFAULT, std::nullopt, 5s, 8, reports.on_done());

  // Behind a running hook: reported when their turn comes, in order.
  queue.push(hook("first", {"/bin/true"}));
  queue.push(hook("missing", {"/nonexistent/hook"}));
  queue.push(hook("unsafe", {unsafe}));
  queue.push(hook("empty", {}));
  queue.push(hook("last", {"/bin/echo", "still running hooks"}));
  CHECK(reports.results.empty());
  REQUIRE(testing::run_until(EV_DEFAULT, [&] { return reports.have(5); }));
  CHECK(reports.labels == std::vector<std::string>{"first", "missing", "unsafe", "empty", "last"});
  CHECK(reports.results[1].error == "cannot run /nonexistent/hook: No such file or directory");
  CHECK(reports.results[2].error ==
        "refusing to run " + unsafe + ": " + unsafe + " is writable by others");
  CHECK(reports.results[3].error == "a hook needs a command");
  for (int i : {1, 2, 3}) CHECK_FALSE(reports.results[i].passed);
  CHECK(reports.results[4].output == "still running hooks");
  CHECK(access(marker.c_str(), F_OK) != 0);

  // On an idle queue: reported from inside push().
  queue.push(hook("missing again", {"/nonexistent/hook"}));
  CHECK(reports.have(6));
  CHECK_FALSE(queue.running());
}

TEST_CASE("hook queue: a full backlog drops its oldest waiting hooks, never the running one") {
  const ScratchDir dir;
  const std::string record = dir.script(
      "record.sh", "[ \"$FLOATD_SEQ\" = 1 ] && sleep 0.2\necho \"$FLOATD_SEQ\" >> " +
                       dir.data("seq"));
  Reports reports;
  HookQueue queue(EV_DEFAULT, std::nullopt, 5s, 3, reports.on_done(), reports.on_dropped());
  for (int n = 1; n <= 10; ++n) {
    queue.push(hook(std::to_string(n), {record}, {"FLOATD_SEQ=" + std::to_string(n)}));
  }
  CHECK(queue.running());
  CHECK(queue.pending() == 3);
  CHECK(queue.dropped() == 6);
  CHECK(reports.dropped == std::vector<std::string>{"2", "3", "4", "5", "6", "7"});

  REQUIRE(testing::run_until(EV_DEFAULT, [&] { return reports.have(4); }));
  CHECK(reports.labels == std::vector<std::string>{"1", "8", "9", "10"});
  CHECK(read_file(dir.data("seq")) == "1\n8\n9\n10\n");
}

TEST_CASE("hook queue: destroying it kills the hook in flight and runs none of the rest") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    const ScratchDir dir;
    const std::string marker = dir.data("ran");
    Reports reports;
    auto queue = std::make_unique<HookQueue>(EV_DEFAULT, mode.user, 30s, 8, reports.on_done());
    queue->push(hook("hang", {"/bin/sleep", "30"}));
    queue->push(hook("after", {"/usr/bin/touch", marker}));

    pid_t child = 0;
    REQUIRE(testing::run_until(EV_DEFAULT,
                               [&] { return (child = testing::child_named("sleep")) > 0; }));
    queue.reset();
    // Gone from /proc altogether: killed, then reaped by the default loop.
    CHECK(testing::run_until(EV_DEFAULT, [&] { return testing::process_state(child) == '\0'; },
                             2s));
    CHECK(reports.results.empty());
    CHECK(access(marker.c_str(), F_OK) != 0);
    CHECK(testing::zombie_children() == 0);
  }
}

TEST_CASE("hook queue: 300 hooks leave no zombie and no extra descriptor") {
  for (const Mode& mode : modes()) {
    INFO(std::string(mode.name));
    // The default loop first: its own descriptors (epoll, signals) are not a leak.
    struct ev_loop* loop = EV_DEFAULT;
    const int fds_before = testing::open_descriptors();
    constexpr int kHooks = 300;
    int passed = 0;
    int timed_out = 0;
    int not_started = 0;
    int finished = 0;
    {
      // Generous for a quick hook on a loaded machine (a fork as root is slow), short
      // enough for the few that hang.
      HookQueue queue(loop, mode.user, 1s, kHooks,
                      [&](const Hook&, const ProbeResult& r) {
                        ++finished;
                        passed += r.passed;
                        timed_out += r.timed_out;
                        not_started += !r.exit_code && !r.signal;
                      });
      // Mostly quick hooks, with a timed-out one and one that cannot start every 150.
      for (int i = 0; i < kHooks; ++i) {
        std::vector<std::string> argv{"/bin/true"};
        if (i % 150 == 149) argv = {"/bin/sleep", "30"};
        if (i % 150 == 75) argv = {"/nonexistent/hook"};
        queue.push(hook(std::to_string(i), argv, {"FLOATD_SEQ=" + std::to_string(i)}));
      }
      REQUIRE(testing::run_until(loop, [&] { return finished == kHooks; }, 60s));
    }
    CHECK(timed_out == kHooks / 150);
    CHECK(not_started == kHooks / 150);
    CHECK(passed == kHooks - 2 * (kHooks / 150));
    CHECK(testing::zombie_children() == 0);
    CHECK(testing::open_descriptors() == fds_before);
  }
}

TEST_CASE("hook queue: start-up checks of its parameters") {
  const auto done = [](const Hook&, const ProbeResult&) {};
  struct ev_loop* own = ev_loop_new(EVFLAG_AUTO);
  CHECK_THROWS_AS(HookQueue(own, std::nullopt, 1s, 8, done), std::invalid_argument);
  ev_loop_destroy(own);
  CHECK_THROWS_AS(HookQueue(EV_DEFAULT, std::nullopt, 0s, 8, done), std::invalid_argument);
  CHECK_THROWS_AS(HookQueue(EV_DEFAULT, std::nullopt, 1s, 0, done), std::invalid_argument);
  CHECK_THROWS_AS(HookQueue(EV_DEFAULT, std::nullopt, 1s, 8, nullptr), std::invalid_argument);
}

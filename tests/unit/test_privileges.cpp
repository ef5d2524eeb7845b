// Least privilege: which capabilities floatd keeps (agent/privileges), and who may change
// what over the control socket (access_refusal in agent/control_commands).
#include <doctest/doctest.h>

#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "agent/control_commands.hpp"
#include "agent/privileges.hpp"

using namespace floatd;
using namespace floatd::privileges;

namespace {

constexpr CapSet kAll = (CapSet{1} << (CAP_CHECKPOINT_RESTORE + 1)) - 1;  // 0x1ffffffffff
constexpr CapSet kNetOnly = (CapSet{1} << CAP_NET_ADMIN) | (CapSet{1} << CAP_NET_RAW);
constexpr CapSet kFour = kNetOnly | (CapSet{1} << CAP_SETUID) | (CapSet{1} << CAP_SETGID);

CapSets root_outside_systemd() {
  return {.effective = kAll, .permitted = kAll, .inheritable = 0, .bounding = kAll, .ambient = 0};
}

// What the packaged unit gives floatd: CapabilityBoundingSet= of four, NoNewPrivileges=yes.
CapSets root_under_unit() {
  return {.effective = kFour, .permitted = kFour, .inheritable = 0, .bounding = kFour,
          .ambient = 0, .no_new_privs = true};
}

// /proc/self/status: "CapEff:\t000001ffffffffff" and "NoNewPrivs:\t1".
std::map<std::string, std::string> proc_status() {
  std::map<std::string, std::string> fields;
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto value = line.find_first_not_of(" \t", colon + 1);
    fields[line.substr(0, colon)] = value == std::string::npos ? "" : line.substr(value);
  }
  return fields;
}

CapSet hex(const std::string& text) { return std::stoull(text, nullptr, 16); }

}  // namespace

TEST_CASE("privileges: floatd needs the network two, and as root the two to switch users") {
  CHECK(needed(false) == kNetOnly);
  CHECK(needed(true) == kFour);
  CHECK(names(needed(true)) == "CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW");
  CHECK(names(0) == "none");
  CHECK(names(cap_bit(CAP_CHOWN) | cap_bit(45)) == "CAP_CHOWN cap_45");
}

TEST_CASE("privileges: root outside systemd keeps four, and the bounding set shrinks to them") {
  const CapSets now = root_outside_systemd();
  const Plan plan = make_plan(now, true);
  CHECK(plan.keep == kFour);
  CHECK(plan.inheritable == 0);
  CHECK(plan.ambient == 0);
  CHECK(plan.bounding_drop == (kAll & ~kFour));
  CHECK(plan.bounding_extra == 0);
  const CapSets after = expected(now, plan);
  CHECK(after == CapSets{.effective = kFour, .permitted = kFour, .inheritable = 0,
                         .bounding = kFour, .ambient = 0, .no_new_privs = true});
  CHECK(summary(after, plan) ==
        "kept CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW; bounding set the same; nothing "
        "inheritable or ambient; no new privileges");
}

TEST_CASE("privileges: root's inheritable and ambient capabilities go") {
  CapSets now = root_outside_systemd();
  now.inheritable = kNetOnly | cap_bit(CAP_SYS_ADMIN);
  now.ambient = kNetOnly;
  const Plan plan = make_plan(now, true);
  CHECK(plan.inheritable == 0);
  CHECK(plan.ambient == 0);
}

TEST_CASE("privileges: under the packaged unit nothing changes") {
  const CapSets now = root_under_unit();
  const Plan plan = make_plan(now, true);
  CHECK(plan.keep == kFour);
  CHECK(plan.bounding_drop == 0);  // no CAP_SETPCAP, and nothing to drop anyway
  CHECK(plan.bounding_extra == 0);
  CHECK(expected(now, plan) == now);
}

TEST_CASE("privileges: without CAP_SETPCAP the bounding set stays as it is, no error") {
  CapSets now = root_outside_systemd();
  now.effective &= ~cap_bit(CAP_SETPCAP);
  now.permitted &= ~cap_bit(CAP_SETPCAP);
  const Plan plan = make_plan(now, true);
  CHECK(plan.keep == kFour);
  CHECK(plan.bounding_drop == 0);
  CHECK(plan.bounding_extra == (kAll & ~kFour));
  const CapSets after = expected(now, plan);
  CHECK(after.bounding == kAll);
  CHECK(summary(after, plan).find("bounding set left with 37 more (no CAP_SETPCAP") !=
        std::string::npos);
}

TEST_CASE("privileges: what floatd does not have it cannot keep") {
  CapSets now = root_outside_systemd();
  now.effective &= ~cap_bit(CAP_NET_RAW);
  now.permitted &= ~cap_bit(CAP_NET_RAW);
  CHECK(make_plan(now, true).keep == (kFour & ~cap_bit(CAP_NET_RAW)));
}

TEST_CASE("privileges: a non-root floatd keeps its needed ambient capabilities, nothing else") {
  // e.g. systemd User=floatd AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_ADMIN:
  // ambient is what gives them back after the hitless restart's execve.
  const CapSet granted = kNetOnly | cap_bit(CAP_SYS_ADMIN);
  const CapSets now{.effective = granted, .permitted = granted, .inheritable = granted,
                    .bounding = kAll, .ambient = granted};
  const Plan plan = make_plan(now, false);
  CHECK(plan.keep == kNetOnly);  // no CAP_SETUID/CAP_SETGID: scripts run as floatd's own user
  CHECK(plan.inheritable == kNetOnly);
  CHECK(plan.ambient == kNetOnly);
  CHECK(plan.bounding_drop == 0);
  CHECK(plan.bounding_extra == (kAll & ~kNetOnly));
  const auto text = summary(expected(now, plan), plan);
  CHECK(text.find("inheritable CAP_NET_ADMIN CAP_NET_RAW; ambient CAP_NET_ADMIN CAP_NET_RAW") !=
        std::string::npos);
}

TEST_CASE("privileges: a non-root floatd without capabilities keeps none") {
  const CapSets now{.bounding = kAll};
  const Plan plan = make_plan(now, false);
  CHECK(plan.keep == 0);
  CHECK(summary(expected(now, plan), plan).starts_with("kept no capabilities"));
}

TEST_CASE("privileges: read_current agrees with /proc/self/status") {
  const CapSets now = read_current();
  auto status = proc_status();
  CHECK(now.effective == hex(status["CapEff"]));
  CHECK(now.permitted == hex(status["CapPrm"]));
  CHECK(now.inheritable == hex(status["CapInh"]));
  CHECK(now.bounding == hex(status["CapBnd"]));
  CHECK(now.ambient == hex(status["CapAmb"]));
  CHECK(now.no_new_privs == (status["NoNewPrivs"] == "1"));
}

TEST_CASE("privileges: limit_exec then drop leave exactly the expected sets (in a child)") {
  // In a child process, so this test process keeps what it has. As root this exercises
  // every call (bounding drop, capset, no_new_privs); otherwise mostly no_new_privs.
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(pipe_fds[0]);
    CapSets result[2] = {};
    int ok = 0;
    try {
      const CapSets before = read_current();
      const Plan plan = make_plan(before, geteuid() == 0);
      result[0] = expected(before, plan);
      ok = limit_exec(plan).empty() && drop(plan).empty() ? 1 : 0;
      result[1] = read_current();
    } catch (...) {
      ok = 0;
    }
    [[maybe_unused]] auto a = write(pipe_fds[1], &ok, sizeof ok);
    [[maybe_unused]] auto b = write(pipe_fds[1], result, sizeof result);
    _exit(0);
  }
  close(pipe_fds[1]);
  int ok = 0;
  CapSets result[2] = {};
  CHECK(read(pipe_fds[0], &ok, sizeof ok) == static_cast<ssize_t>(sizeof ok));
  CHECK(read(pipe_fds[0], result, sizeof result) == static_cast<ssize_t>(sizeof result));
  close(pipe_fds[0]);
  int wstatus = 0;
  REQUIRE(waitpid(pid, &wstatus, 0) == pid);
  CHECK(ok == 1);
  CHECK(result[1] == result[0]);
  CHECK(result[1].no_new_privs);
  if (geteuid() == 0 && (read_current().effective & cap_bit(CAP_SETPCAP))) {
    CHECK(result[1].permitted == kFour);
    CHECK(result[1].bounding == kFour);
  }
}

// ---- the control socket's access rule

namespace r = floatd::control::request;

TEST_CASE("control access: reading is open to anyone who can connect") {
  for (const control::Request& request :
       {control::Request{r::Status{}}, control::Request{r::Peers{}},
        control::Request{r::History{}}, control::Request{r::Metrics{}},
        control::Request{r::Watch{}}, control::Request{r::Config{}},
        control::Request{r::Reload{true}}}) {
    CAPTURE(command_name(request));
    CHECK(access_needed(request) == Access::Read);
    CHECK(access_refusal(request, 1000, 0) == "");
    CHECK(access_refusal(request, std::nullopt, 0) == "");
  }
}

TEST_CASE("control access: changes need root or floatd's own user") {
  for (const control::Request& request :
       {control::Request{r::Resign{"web"}}, control::Request{r::Maintenance{true}},
        control::Request{r::Maintenance{false}}, control::Request{r::Reload{false}},
        control::Request{r::Restart{}}}) {
    CAPTURE(command_name(request));
    CHECK(access_needed(request) == Access::Change);
    CHECK(access_refusal(request, 0, 0) == "");
    CHECK(access_refusal(request, 998, 998) == "");  // floatd running as uid 998
    CHECK(access_refusal(request, 0, 998) == "");
    CHECK_FALSE(access_refusal(request, 1000, 0).empty());
    CHECK_FALSE(access_refusal(request, std::nullopt, 0).empty());
  }
  CHECK(access_refusal(control::Request{r::Resign{"web"}}, 1000, 0) ==
        "resign needs root (uid 0): you are uid 1000");
  CHECK(access_refusal(control::Request{r::Maintenance{true}}, 65534, 0) ==
        "maintenance on needs root (uid 0): you are uid 65534");
  CHECK(access_refusal(control::Request{r::Reload{false}}, 1000, 998) ==
        "reload needs root (uid 0) or floatd's user (uid 998): you are uid 1000");
  CHECK(access_refusal(control::Request{r::Restart{}}, std::nullopt, 0) ==
        "restart needs root (uid 0): your uid is unknown");
}

TEST_CASE("control access: request lines") {
  CHECK(access_refusal(R"({"command": "resign", "instance": "web"})", 1000, 0) ==
        "resign needs root (uid 0): you are uid 1000");
  CHECK(access_refusal(R"({"command": "reload", "plan": true})", 1000, 0) == "");
  CHECK(access_refusal(R"({"command": "status"})", 1000, 0) == "");
  CHECK(access_refusal("not json", 1000, 0) == "");  // the handler answers the parse error
  CHECK(access_refusal(control::format_request(r::Maintenance{false}), 1000, 0) ==
        "maintenance off needs root (uid 0): you are uid 1000");
}

// Notify hooks: which hooks a state change runs, with what environment, in what order; a
// sync group's derived state. Real hook processes (/bin/sh) on the default loop.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/notify_hooks.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

// A world-writable directory: as root the hooks run as the script user (nobody).
struct SharedDir {
  std::filesystem::path path;
  SharedDir() {
    char pattern[] = "/tmp/floatd-hooks-XXXXXX";
    path = ::mkdtemp(pattern);
    ::chmod(path.c_str(), 01777);
  }
  ~SharedDir() { std::filesystem::remove_all(path); }
  std::string read(const char* name) const {
    std::ifstream in(path / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

// A hook that appends "LABEL STATE PREV VIPS GROUP" to FILE.
std::vector<std::string> recorder(const std::filesystem::path& file, const std::string& label) {
  return {"/bin/sh", "-c",
          "echo \"$0 $FLOATD_STATE $FLOATD_PREV_STATE [$FLOATD_VIPS] $FLOATD_GROUP\" >> " +
              file.string(),
          label};
}

StateChange change(const std::string& instance, State from, State to) {
  return {instance, 51, from, to, 150, "test", ""};
}

bool run_until(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ev_run(EV_DEFAULT, EVRUN_ONCE);
  }
  return true;
}

}  // namespace

TEST_CASE("notify hooks: state names, STOP for an instance that stopped") {
  CHECK(hook_state_name(State::Master) == "MASTER");
  CHECK(hook_state_name(State::Init) == "STOP");
}

TEST_CASE("notify hooks: a group is FAULT if any member is, MASTER if all are") {
  CHECK(group_state({State::Master, State::Master}) == State::Master);
  CHECK(group_state({State::Master, State::Backup}) == State::Backup);
  CHECK(group_state({State::Master, State::Fault}) == State::Fault);
  CHECK(group_state({State::Init, State::Init}) == State::Init);
  CHECK(group_state({State::Init, State::Backup}) == State::Backup);
}

TEST_CASE("notify hooks: notify first, then the hook of the new state") {
  conf::HookConfig hooks;
  hooks.notify = {"/n"};
  hooks.on_master = {"/m"};
  hooks.on_stop = {"/s"};
  const auto master = hooks_for(hooks, "web", State::Master, {"A=1"});
  REQUIRE(master.size() == 2);
  CHECK(master[0].argv == std::vector<std::string>{"/n"});
  CHECK(master[0].label == "web notify");
  CHECK(master[1].argv == std::vector<std::string>{"/m"});
  CHECK(master[1].env == std::vector<std::string>{"A=1"});
  CHECK(hooks_for(hooks, "web", State::Backup, {}).size() == 1);  // no on_backup
  CHECK(hooks_for(hooks, "web", State::Init, {}).at(1).argv == std::vector<std::string>{"/s"});
  CHECK(hooks_for({}, "web", State::Master, {}).empty());
}

TEST_CASE("notify hooks: instance and group hooks run one at a time in event order") {
  SharedDir dir;
  const auto log = dir.path / "log";
  conf::Config config;
  config.global.notify_timeout = 5s;
  for (const char* name : {"web", "db"}) {
    conf::InstanceConfig instance;
    instance.name = name;
    instance.vips = {*IpPrefix::parse(std::string(name) == "web" ? "192.0.2.10/24" : "192.0.2.11/24")};
    config.instances.push_back(instance);
  }
  config.instances[0].hooks.notify = recorder(log, "web-notify");
  config.instances[0].hooks.on_master = recorder(log, "web-master");
  config.groups.push_back({"lb", {"web", "db"}, {}});
  config.groups[0].hooks.notify = recorder(log, "lb-notify");
  NotifyHooks hooks(EV_DEFAULT, config);
  hooks.on_state_change(change("web", State::Init, State::Backup));   // group: STOP -> BACKUP
  hooks.on_state_change(change("db", State::Init, State::Backup));    // group unchanged
  hooks.on_state_change(change("web", State::Backup, State::Master));
  hooks.on_state_change(change("db", State::Backup, State::Master));  // group -> MASTER
  hooks.on_state_change(change("web", State::Master, State::Fault));  // group -> FAULT
  const std::string expected =
      "web-notify BACKUP STOP [192.0.2.10/24] \n"
      "lb-notify BACKUP STOP [192.0.2.10/24 192.0.2.11/24] lb\n"
      "web-notify MASTER BACKUP [192.0.2.10/24] \n"
      "web-master MASTER BACKUP [192.0.2.10/24] \n"
      "lb-notify MASTER BACKUP [192.0.2.10/24 192.0.2.11/24] lb\n"
      "web-notify FAULT MASTER [192.0.2.10/24] \n"
      "lb-notify FAULT MASTER [192.0.2.10/24 192.0.2.11/24] lb\n";
  REQUIRE(run_until([&] { return dir.read("log").size() >= expected.size(); }));
  CHECK(dir.read("log") == expected);
}

TEST_CASE("notify hooks: drain waits for the queued hooks, bounded by notify_timeout") {
  SharedDir dir;
  conf::Config config;
  config.global.notify_timeout = 2s;
  conf::InstanceConfig instance;
  instance.name = "web";
  instance.hooks.on_stop = {"/bin/sh", "-c", "sleep 0.2; touch " + (dir.path / "stopped").string()};
  config.instances.push_back(instance);
  NotifyHooks hooks(EV_DEFAULT, config);
  hooks.on_state_change(change("web", State::Master, State::Init));
  hooks.drain(EV_DEFAULT);
  CHECK(std::filesystem::exists(dir.path / "stopped"));

  // A hook that outlives notify_timeout: drain returns after it, not after the hook.
  config.instances[0].hooks.on_stop = {"/bin/sleep", "30"};
  config.global.notify_timeout = 300ms;
  hooks.reconfigure(NotifyHooks::user_for(config));
  hooks.on_state_change(change("web", State::Master, State::Init));
  const auto started = std::chrono::steady_clock::now();
  hooks.drain(EV_DEFAULT);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

// Configuration keys of issue 9: built-in probes (tcp, http), interface and file trackers,
// sync groups and notify hooks; their defaults, their errors and how --check --print and the
// reload plan show them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "conf/config_diff.hpp"
#include "conf/config_loader.hpp"
#include "conf/config_writer.hpp"

using namespace floatd::conf;
using namespace std::chrono_literals;

namespace {

Config accept(const std::string& toml) { return parse_config(toml, "t.toml"); }

std::vector<std::string> errors_of(const std::string& toml) {
  try {
    parse_config(toml, "t.toml");
  } catch (const ConfigError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  FAIL("the configuration was accepted");
  return {};
}

std::string instance(const std::string& name, int vrid, const std::string& extra = "") {
  return "[[instance]]\nname = \"" + name + "\"\ninterface = \"eth0\"\nvrid = " +
         std::to_string(vrid) + "\nvips = [\"192.0.2." + std::to_string(vrid) + "/24\"]\n" + extra +
         "\n";
}

const std::string kFull = R"([global]
notify_timeout = "2s"

[[check]]
name = "port"
tcp = "127.0.0.1:80"

[[check]]
name = "health"
http = "https://127.0.0.1:8443/health"
expect_status = 204
interval = "200ms"
)" + instance("web", 51, R"(track = [{ check = "port", weight = -50 }, { interface = "eth1" },
         { file = "/run/floatd/demote", weight = -10 }]
notify = ["/usr/local/bin/notify", "web"]
on_master = ["/usr/local/bin/up"]
on_backup = ["/usr/local/bin/down"]
on_fault = ["/usr/local/bin/down"]
on_stop = ["/usr/local/bin/stop"])") +
                          instance("db", 52) + R"(
[[group]]
name = "lb"
instances = ["web", "db"]
on_master = ["/usr/local/bin/group-up"]
)";

}  // namespace

TEST_CASE("config: tcp and http checks, interface and file trackers, groups and hooks load") {
  const auto config = accept(kFull);
  CHECK(config.global.notify_timeout == 2s);
  REQUIRE(config.checks.size() == 2);
  CHECK(config.checks[0].tcp == "127.0.0.1:80");
  CHECK(config.checks[0].command.empty());
  CHECK(config.checks[1].http == "https://127.0.0.1:8443/health");
  CHECK(config.checks[1].expect_status == 204);
  const auto& web = config.instances.at(0);
  REQUIRE(web.track.size() == 3);
  CHECK(web.track[0].check == "port");
  CHECK(web.track[1].interface == "eth1");
  CHECK(web.track[1].weight == 0);
  CHECK(web.track[2].file == "/run/floatd/demote");
  CHECK(web.track[2].weight == -10);
  CHECK(web.hooks.notify == std::vector<std::string>{"/usr/local/bin/notify", "web"});
  CHECK(web.hooks.on_master == std::vector<std::string>{"/usr/local/bin/up"});
  CHECK(web.hooks.on_stop == std::vector<std::string>{"/usr/local/bin/stop"});
  CHECK(config.instances.at(1).hooks.empty());
  REQUIRE(config.groups.size() == 1);
  CHECK(config.groups[0].name == "lb");
  CHECK(config.groups[0].instances == std::vector<std::string>{"web", "db"});
  CHECK(config.groups[0].hooks.on_master == std::vector<std::string>{"/usr/local/bin/group-up"});
}

TEST_CASE("config: defaults of the new keys") {
  const auto config = accept("[[check]]\nname = \"c\"\nhttp = \"http://127.0.0.1/\"\n");
  CHECK(config.global.notify_timeout == 10s);
  CHECK(config.checks[0].expect_status == 200);
  CHECK(config.groups.empty());
}

TEST_CASE("config: --check --print writes the new keys and reads back the same") {
  const auto config = accept(kFull);
  const auto text = format_config(config);
  for (const char* line : {R"(tcp = "127.0.0.1:80")", "expect_status = 204",
                           R"({ interface = "eth1", weight = 0 })",
                           R"({ file = "/run/floatd/demote", weight = -10 })",
                           R"(on_stop = ["/usr/local/bin/stop"])", "[[group]]",
                           R"(instances = ["web", "db"])", R"(notify_timeout = "2s")"}) {
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  }
  auto again = parse_config(text, config.path);
  again.path = config.path;
  CHECK(again == config);
}

TEST_CASE("config: a check runs exactly one of command, tcp and http") {
  CHECK(errors_of("[[check]]\nname = \"c\"\ncommand = [\"/bin/true\"]\ntcp = \"127.0.0.1:1\"\n") ==
        std::vector<std::string>{"t.toml:1:1: check 'c': has both command and tcp; a check runs "
                                 "exactly one of command, tcp or http"});
  CHECK(errors_of("[[check]]\nname = \"c\"\ntcp = \"localhost:80\"\n") ==
        std::vector<std::string>{"t.toml:3:7: check 'c': tcp 'localhost:80' is not ADDRESS:PORT "
                                 "with a numeric address (e.g. \"127.0.0.1:80\" or \"[::1]:80\")"});
  CHECK(errors_of("[[check]]\nname = \"c\"\ntcp = \"127.0.0.1:0\"\n").size() == 1);
  CHECK(errors_of("[[check]]\nname = \"c\"\nhttp = \"ftp://127.0.0.1/\"\n") ==
        std::vector<std::string>{"t.toml:3:8: check 'c': http 'ftp://127.0.0.1/' is not an "
                                 "http:// or https:// URL (e.g. \"http://127.0.0.1/health\")"});
  CHECK(errors_of("[[check]]\nname = \"c\"\ntcp = \"127.0.0.1:1\"\nexpect_status = 200\n") ==
        std::vector<std::string>{
            "t.toml:4:17: check 'c': expect_status applies only to an http check"});
  CHECK(errors_of("[[check]]\nname = \"c\"\nhttp = \"http://x/\"\nexpect_status = 600\n") ==
        std::vector<std::string>{"t.toml:4:17: check 'c': expect_status 600 out of range 100..599"});
}

TEST_CASE("config: a track follows exactly one subject, each at most once") {
  CHECK(errors_of(instance("web", 51, R"(track = [{ interface = "eth1", file = "/x" }])")) ==
        std::vector<std::string>{"t.toml:6:10: instance 'web': track #1: has both interface and "
                                 "file; a track follows one subject"});
  CHECK(errors_of(instance("web", 51, R"(track = [{ file = "run/x" }])")) ==
        std::vector<std::string>{
            "t.toml:6:19: instance 'web': track #1: file 'run/x' must be an absolute path"});
  CHECK(errors_of(instance("web", 51, R"(track = [{ interface = "a/b" }])")) ==
        std::vector<std::string>{
            "t.toml:6:24: instance 'web': track #1: interface 'a/b' is not a valid interface name"});
  CHECK(errors_of(instance("web", 51, R"(track = [{ interface = "eth1" }, { interface = "eth1" }])")) ==
        std::vector<std::string>{"t.toml:6:48: instance 'web': track lists interface 'eth1' twice"});
}

TEST_CASE("config: a group names existing instances, each in one group only") {
  const auto two = instance("web", 51) + instance("db", 52);
  CHECK(errors_of(two + "[[group]]\nname = \"g\"\ninstances = [\"web\", \"dbx\"]\n") ==
        std::vector<std::string>{
            "t.toml:15:21: group 'g': unknown instance 'dbx' (did you mean 'db'?)"});
  CHECK(errors_of(two + "[[group]]\nname = \"g\"\ninstances = [\"web\"]\n" +
                  "[[group]]\nname = \"h\"\ninstances = [\"db\", \"web\"]\n") ==
        std::vector<std::string>{"t.toml:18:20: group 'h': instance 'web' is already in group 'g'; "
                                 "an instance belongs to one group"});
  CHECK(errors_of(two + "[[group]]\nname = \"g\"\ninstances = [\"web\", \"web\"]\n") ==
        std::vector<std::string>{"t.toml:15:21: group 'g': instance 'web' is listed twice"});
  CHECK(errors_of(two + "[[group]]\nname = \"g\"\ninstances = []\n") ==
        std::vector<std::string>{
            "t.toml:15:13: group 'g': instances must name at least one [[instance]]"});
  CHECK(errors_of(two + "[[group]]\nname = \"g\"\ninstances = [\"web\"]\n" +
                  "[[group]]\nname = \"g\"\ninstances = [\"db\"]\n") ==
        std::vector<std::string>{"t.toml:17:8: group 'g': duplicate group name (first defined at "
                                 "line 14)"});
  CHECK(errors_of(two + "[[group]]\nname = \"g\"\n") ==
        std::vector<std::string>{"t.toml:13:1: group 'g': missing required key 'instances'"});
}

TEST_CASE("config: hooks are argv arrays starting with an absolute path") {
  CHECK(errors_of(instance("web", 51, R"(on_master = ["notify.sh"])")) ==
        std::vector<std::string>{
            "t.toml:6:14: instance 'web': on_master 'notify.sh' must start with an absolute path"});
  CHECK(errors_of(instance("web", 51, "notify = []")) ==
        std::vector<std::string>{
            "t.toml:6:10: instance 'web': notify must not be empty (it is the argv to run, e.g. "
            "[\"/usr/bin/curl\", \"-fsS\", \"http://127.0.0.1/\"])"});
  CHECK(errors_of("[global]\nnotify_timeout = \"0s\"\n") ==
        std::vector<std::string>{"t.toml:2:18: global: notify_timeout 0s out of range 10ms..1h"});
}

TEST_CASE("config diff: hooks update an instance in place; groups are listed in the plan") {
  const auto before = accept(instance("web", 51) + instance("db", 52));
  const auto after = accept(instance("web", 51, R"(on_master = ["/bin/up"])") + instance("db", 52) +
                            "[[group]]\nname = \"g\"\ninstances = [\"web\", \"db\"]\n");
  const auto diff = diff_configs(before, after);
  REQUIRE(diff.instances.size() == 2);
  CHECK(diff.instances[0].change == Change::Updated);
  CHECK(diff.instances[0].details == std::vector<std::string>{"on_master [] -> ['/bin/up']"});
  CHECK(format_plan(diff) == std::vector<std::string>{
                                 "instance web: updated in place: on_master [] -> ['/bin/up']",
                                 "instance db: unchanged", "group g: added"});
}

TEST_CASE("config: on_vip_removed is restore (default) or fault") {
  CHECK(accept(instance("web", 51)).instances[0].on_vip_removed == OnVipRemoved::Restore);
  CHECK(accept(instance("web", 51, "on_vip_removed = \"fault\"")).instances[0].on_vip_removed ==
        OnVipRemoved::Fault);
  CHECK(errors_of(instance("web", 51, "on_vip_removed = \"ignore\"")) ==
        std::vector<std::string>{
            "t.toml:6:18: instance 'web': on_vip_removed 'ignore' must be \"restore\" or \"fault\""});
  CHECK(format_config(accept(instance("web", 51, "on_vip_removed = \"fault\"")))
            .find("on_vip_removed = \"fault\"") != std::string::npos);
}

TEST_CASE("config: checksum is auto (default), pseudo-header or rfc9568") {
  CHECK(accept(instance("web", 51)).instances[0].checksum == ChecksumMode::Auto);
  CHECK(accept(instance("web", 51, "checksum = \"rfc9568\"")).instances[0].checksum ==
        ChecksumMode::Rfc9568);
  CHECK(accept(instance("web", 51, "checksum = \"pseudo-header\"")).instances[0].checksum ==
        ChecksumMode::PseudoHeader);
  CHECK(errors_of(instance("web", 51, "checksum = \"crc\"")) ==
        std::vector<std::string>{"t.toml:6:12: instance 'web': checksum 'crc' must be \"auto\", "
                                 "\"pseudo-header\" or \"rfc9568\""});
}

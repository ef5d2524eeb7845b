#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "conf/config_loader.hpp"

namespace {

using namespace floatd;
using namespace floatd::conf;
using namespace std::chrono_literals;

const std::string kDataDir = FLOATD_TEST_DATA_DIR;

Config accept(const std::string& toml) { return parse_config(toml, "test.toml"); }

std::vector<Diagnostic> errors_of(const std::string& toml) {
  try {
    parse_config(toml, "test.toml");
  } catch (const ConfigError& e) {
    return e.diagnostics();
  }
  FAIL("the configuration was accepted");
  return {};
}

// The one diagnostic `toml` must produce, as "test.toml:LINE:COL: message".
std::string only_error(const std::string& toml) {
  const std::vector<Diagnostic> errors = errors_of(toml);
  REQUIRE(errors.size() == 1);
  return errors[0].to_string();
}

// A minimal valid instance; `extra` starts on line 6.
std::string instance_with(std::string_view extra) {
  return R"([[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.100/24"]
)" + std::string(extra) +
         "\n";
}

InstanceConfig instance_of(std::string_view extra) {
  const Config config = accept(instance_with(extra));
  REQUIRE(config.instances.size() == 1);
  return config.instances[0];
}

// A minimal valid check; `extra` starts on line 4.
std::string check_with(std::string_view extra) {
  return R"([[check]]
name = "web"
command = ["/bin/true"]
)" + std::string(extra) +
         "\n";
}

CheckConfig check_of(std::string_view extra) {
  const Config config = accept(check_with(extra));
  REQUIRE(config.checks.size() == 1);
  return config.checks[0];
}

// The "web" check on lines 1-4, then a minimal instance whose `extra` starts on line 10.
std::string tracked_instance_with(std::string_view extra) {
  return check_with("") + instance_with(extra);
}

}  // namespace

TEST_CASE("config: the ARCHITECTURE.md example loads with its exact values") {
  const std::string path = kDataDir + "/architecture_example.toml";
  const Config config = load_config_file(path);
  CHECK(config.path == path);
  CHECK(config.global.router_id == "lb1");
  CHECK(config.global.control_socket == "/run/floatd/floatd.sock");
  CHECK(config.global.state_dir == "/var/lib/floatd");

  REQUIRE(config.checks.size() == 1);
  const CheckConfig& check = config.checks[0];
  CHECK(check.name == "web");
  CHECK(check.command == std::vector<std::string>{"/bin/sh", "-c", "test -e /run/web.ok"});
  CHECK(check.interval == 1s);
  CHECK(check.timeout == 500ms);
  CHECK(check.rise == 2);
  CHECK(check.fall == 2);

  REQUIRE(config.instances.size() == 1);
  const InstanceConfig& instance = config.instances[0];
  CHECK(instance.name == "web");
  CHECK(instance.interface == "eth0");
  CHECK(instance.vrid == 51);
  CHECK(instance.priority == 150);
  CHECK(instance.advert_interval == 100ms);
  REQUIRE(instance.vips.size() == 1);
  CHECK(instance.vips[0].to_string() == "192.0.2.100/24");
  REQUIRE(instance.track.size() == 1);
  CHECK(instance.track[0].check == "web");
  CHECK(instance.track[0].weight == -100);
}

TEST_CASE("config: defaults for every optional key") {
  const Config config = accept(check_with("") + instance_with(""));
  CHECK(config.path == "test.toml");
  CHECK(config.global.router_id.empty());
  CHECK(config.global.control_socket == "/run/floatd/floatd.sock");

  REQUIRE(config.checks.size() == 1);
  const CheckConfig& check = config.checks[0];
  CHECK(check.interval == 1s);
  CHECK(check.timeout == 500ms);
  CHECK(check.rise == 2);
  CHECK(check.fall == 2);

  REQUIRE(config.instances.size() == 1);
  const InstanceConfig& instance = config.instances[0];
  CHECK(instance.priority == 100);
  CHECK(instance.advert_interval == 1s);
  CHECK(instance.preempt);
  CHECK(instance.preempt_delay == 0s);
  CHECK(instance.track.empty());
  CHECK(instance.garp_count == 3);
  CHECK(instance.garp_interval == 100ms);
  CHECK(instance.garp_refresh == 0s);
}

TEST_CASE("config: an empty file is a valid configuration with nothing to run") {
  const Config config = accept("");
  CHECK(config.checks.empty());
  CHECK(config.instances.empty());
  CHECK(config.global.control_socket == "/run/floatd/floatd.sock");
}

TEST_CASE("config: every optional key is read") {
  const Config config = accept(R"(
[global]
router_id = "lb2"
control_socket = "/run/alt/floatd.sock"
script_user = "checker"
state_dir = "/srv/floatd"
metrics_textfile = "/var/lib/prometheus/node-exporter/floatd.prom"

[[check]]
name = "db"
command = ["/usr/lib/floatd/check-db", "--fast"]
interval = "2s"
timeout = "1.5s"
rise = 3
fall = 5

[[instance]]
name = "db.primary-1"
interface = "bond0.100"
vrid = 7
priority = 255
advert_interval = "0.5s"
vips = ["198.18.0.10", "198.18.0.11/16"]
preempt = false
preempt_delay = "30s"
track = [{ check = "db" }]
garp_count = 5
garp_interval = "250ms"
garp_refresh = "1m"
)");
  CHECK(config.global.router_id == "lb2");
  CHECK(config.global.control_socket == "/run/alt/floatd.sock");
  CHECK(config.global.script_user == "checker");
  CHECK(config.global.state_dir == "/srv/floatd");
  CHECK(config.global.metrics_textfile == "/var/lib/prometheus/node-exporter/floatd.prom");

  REQUIRE(config.checks.size() == 1);
  const CheckConfig& check = config.checks[0];
  CHECK(check.command == std::vector<std::string>{"/usr/lib/floatd/check-db", "--fast"});
  CHECK(check.interval == 2s);
  CHECK(check.timeout == 1500ms);
  CHECK(check.rise == 3);
  CHECK(check.fall == 5);

  REQUIRE(config.instances.size() == 1);
  const InstanceConfig& instance = config.instances[0];
  CHECK(instance.name == "db.primary-1");
  CHECK(instance.interface == "bond0.100");
  CHECK(instance.vrid == 7);
  CHECK(instance.priority == 255);
  CHECK(instance.advert_interval == 500ms);
  REQUIRE(instance.vips.size() == 2);
  CHECK(instance.vips[0].to_string() == "198.18.0.10/32");  // a bare address is a host prefix
  CHECK(instance.vips[1].to_string() == "198.18.0.11/16");
  CHECK_FALSE(instance.preempt);
  CHECK(instance.preempt_delay == 30s);
  REQUIRE(instance.track.size() == 1);
  CHECK(instance.track[0].check == "db");
  CHECK(instance.track[0].weight == 0);
  CHECK(instance.garp_count == 5);
  CHECK(instance.garp_interval == 250ms);
  CHECK(instance.garp_refresh == 1min);
}

TEST_CASE("config: priority range edges") {
  CHECK(only_error(instance_with("priority = 0")) ==
        "test.toml:6:12: instance 'web': priority 0 out of range 1..255");
  CHECK(instance_of("priority = 1").priority == 1);
  CHECK(instance_of("priority = 255").priority == 255);
  CHECK(only_error(instance_with("priority = 256")) ==
        "test.toml:6:12: instance 'web': priority 256 out of range 1..255");
}

TEST_CASE("config: an out-of-range integer is refused, not wrapped into uint8") {
  // 300 % 256 == 44, a valid priority: it must not be read that way.
  CHECK(only_error(instance_with("priority = 300")) ==
        "test.toml:6:12: instance 'web': priority 300 out of range 1..255");
  // toml11 clamps this to INT64_MAX; the message shows what was written.
  CHECK(only_error(instance_with("priority = 99999999999999999999")) ==
        "test.toml:6:12: instance 'web': priority 99999999999999999999 out of range 1..255");
}

TEST_CASE("config: vrid is required and within 1..255") {
  const std::string head =
      "[[instance]]\nname = \"web\"\ninterface = \"eth0\"\nvips = [\"192.0.2.1\"]\n";
  CHECK(only_error(head + "vrid = 0") ==
        "test.toml:5:8: instance 'web': vrid 0 out of range 1..255");
  CHECK(accept(head + "vrid = 1").instances.at(0).vrid == 1);
  CHECK(accept(head + "vrid = 255").instances.at(0).vrid == 255);
  CHECK(only_error(head + "vrid = 256") ==
        "test.toml:5:8: instance 'web': vrid 256 out of range 1..255");
  CHECK(only_error(head) == "test.toml:1:1: instance 'web': missing required key 'vrid'");
}

TEST_CASE("config: advert_interval edges (VRRPv3 centiseconds, 10ms..40950ms)") {
  CHECK(only_error(instance_with(R"(advert_interval = "9ms")")) ==
        "test.toml:6:19: instance 'web': advert_interval 9ms out of range 10ms..40950ms");
  CHECK(instance_of(R"(advert_interval = "10ms")").advert_interval == 10ms);
  CHECK(instance_of(R"(advert_interval = "40950ms")").advert_interval == 40950ms);
  CHECK(only_error(instance_with(R"(advert_interval = "40960ms")")) ==
        "test.toml:6:19: instance 'web': advert_interval 40960ms out of range 10ms..40950ms");
  CHECK(only_error(instance_with(R"(advert_interval = "15ms")")) ==
        "test.toml:6:19: instance 'web': advert_interval 15ms is not a whole number of "
        "centiseconds (VRRPv3 advertises it in 10ms units)");
  CHECK(instance_of(R"(advert_interval = "0.25s")").advert_interval == 250ms);
}

TEST_CASE("config: a duration must be a string with a unit") {
  const std::string expected =
      "test.toml:6:19: instance 'web': advert_interval must be a string with a unit, e.g. "
      "\"100ms\"";
  CHECK(only_error(instance_with("advert_interval = 100")) == expected);
  CHECK(only_error(instance_with("advert_interval = 1.5")) == expected);
  CHECK(only_error(instance_with(R"(advert_interval = "100")")) ==
        "test.toml:6:19: instance 'web': advert_interval \"100\" is not a valid duration (a number "
        "with unit us, ms, s, m or h, e.g. \"100ms\")");
  CHECK(only_error(instance_with(R"(preempt_delay = "1 s")")) ==
        "test.toml:6:17: instance 'web': preempt_delay \"1 s\" is not a valid duration (a number "
        "with unit us, ms, s, m or h, e.g. \"100ms\")");
  CHECK(only_error(instance_with(R"(preempt_delay = "-1s")")).find("is not a valid duration") !=
        std::string::npos);
}

TEST_CASE("config: preempt_delay is at most 1h") {
  CHECK(instance_of(R"(preempt_delay = "0s")").preempt_delay == 0s);
  CHECK(instance_of(R"(preempt_delay = "1h")").preempt_delay == 1h);
  CHECK(only_error(instance_with(R"(preempt_delay = "61m")")) ==
        "test.toml:6:17: instance 'web': preempt_delay 61m out of range 0s..1h");
}

TEST_CASE("config: garp_count, garp_interval and garp_refresh ranges") {
  CHECK(only_error(instance_with("garp_count = 0")) ==
        "test.toml:6:14: instance 'web': garp_count 0 out of range 1..100");
  CHECK(instance_of("garp_count = 1").garp_count == 1);
  CHECK(instance_of("garp_count = 100").garp_count == 100);
  CHECK(only_error(instance_with("garp_count = 101")) ==
        "test.toml:6:14: instance 'web': garp_count 101 out of range 1..100");

  CHECK(only_error(instance_with(R"(garp_interval = "9ms")")) ==
        "test.toml:6:17: instance 'web': garp_interval 9ms out of range 10ms..10s");
  CHECK(instance_of(R"(garp_interval = "10ms")").garp_interval == 10ms);
  CHECK(instance_of(R"(garp_interval = "10s")").garp_interval == 10s);
  CHECK(only_error(instance_with(R"(garp_interval = "10001ms")")) ==
        "test.toml:6:17: instance 'web': garp_interval 10001ms out of range 10ms..10s");

  CHECK(instance_of(R"(garp_refresh = "0s")").garp_refresh == 0s);
  CHECK(only_error(instance_with(R"(garp_refresh = "999ms")")) ==
        "test.toml:6:16: instance 'web': garp_refresh 999ms must be 0s (off) or at least 1s");
  CHECK(instance_of(R"(garp_refresh = "1s")").garp_refresh == 1s);
}

TEST_CASE("config: track weight range -254..254") {
  CHECK(accept(tracked_instance_with(R"(track = [{ check = "web", weight = -254 }])"))
            .instances.at(0)
            .track.at(0)
            .weight == -254);
  CHECK(accept(tracked_instance_with(R"(track = [{ check = "web", weight = 254 }])"))
            .instances.at(0)
            .track.at(0)
            .weight == 254);
  CHECK(only_error(tracked_instance_with(R"(track = [{ check = "web", weight = -255 }])")) ==
        "test.toml:10:36: instance 'web': track #1: weight -255 out of range -254..254");
  CHECK(only_error(tracked_instance_with(R"(track = [{ check = "web", weight = 255 }])")) ==
        "test.toml:10:36: instance 'web': track #1: weight 255 out of range -254..254");
}

TEST_CASE("config: check rise and fall range 1..100") {
  CHECK(only_error(check_with("rise = 0")) ==
        "test.toml:4:8: check 'web': rise 0 out of range 1..100");
  CHECK(check_of("rise = 1").rise == 1);
  CHECK(check_of("rise = 100").rise == 100);
  CHECK(only_error(check_with("rise = 101")) ==
        "test.toml:4:8: check 'web': rise 101 out of range 1..100");
  CHECK(only_error(check_with("fall = 0")) ==
        "test.toml:4:8: check 'web': fall 0 out of range 1..100");
  CHECK(check_of("fall = 100").fall == 100);
}

TEST_CASE("config: check interval and timeout") {
  CHECK(only_error(check_with(R"(interval = "9ms")")) ==
        "test.toml:4:12: check 'web': interval 9ms is below the minimum 10ms");
  CHECK(check_of(R"(interval = "10ms")").interval == 10ms);
  CHECK(only_error(check_with(R"(timeout = "0s")")) ==
        "test.toml:4:11: check 'web': timeout must be greater than 0s");
  CHECK(only_error(check_with("interval = \"1s\"\ntimeout = \"1001ms\"")) ==
        "test.toml:5:11: check 'web': timeout 1001ms exceeds interval 1s");
  CHECK(check_of("interval = \"1s\"\ntimeout = \"1s\"").timeout == 1s);
  // Without a timeout, the 500ms default shrinks to fit a shorter interval.
  CHECK(check_of(R"(interval = "100ms")").timeout == 100ms);
  // One mistake, one message: a bad interval does not also make the timeout "too long".
  CHECK(only_error(check_with("interval = \"5ms\"\ntimeout = \"400ms\"")) ==
        "test.toml:4:12: check 'web': interval 5ms is below the minimum 10ms");
}

TEST_CASE("config: check command is a non-empty argv starting with an absolute path") {
  const std::string head = "[[check]]\nname = \"web\"\n";
  CHECK(only_error(head + "command = []") ==
        "test.toml:3:11: check 'web': command must not be empty (it is the argv to run, e.g. "
        "[\"/usr/bin/curl\", \"-fsS\", \"http://127.0.0.1/\"])");
  CHECK(only_error(head + R"(command = ["true"])") ==
        "test.toml:3:12: check 'web': command 'true' must start with an absolute path");
  CHECK(only_error(head + R"(command = ["/bin/sleep", 1])") ==
        "test.toml:3:26: check 'web': command entry 2 must be a string, not an integer");
  CHECK(only_error(head + R"(command = "/bin/true")") ==
        "test.toml:3:11: check 'web': command must be an array, not a string");
  CHECK(only_error(head) == "test.toml:1:1: check 'web': needs one of command, tcp or http (e.g. tcp = \"127.0.0.1:80\")");
}

TEST_CASE("config: instance names are 1..32 characters of [A-Za-z0-9_.-]") {
  const auto named = [](std::string_view name) {
    return "[[instance]]\nname = \"" + std::string(name) +
           "\"\ninterface = \"eth0\"\nvrid = 1\nvips = [\"192.0.2.1\"]\n";
  };
  CHECK(accept(named("a_B.9-z")).instances.at(0).name == "a_B.9-z");
  CHECK(accept(named(std::string(32, 'x'))).instances.at(0).name == std::string(32, 'x'));
  CHECK(only_error(named(std::string(33, 'x'))) ==
        "test.toml:2:8: instance #1: name '" + std::string(33, 'x') +
            "' is invalid (1..32 characters from A-Z a-z 0-9 _ . -)");
  CHECK(only_error(named("web 1")) ==
        "test.toml:2:8: instance #1: name 'web 1' is invalid (1..32 characters from A-Z a-z 0-9 "
        "_ . -)");
  CHECK(only_error(named("")) ==
        "test.toml:2:8: instance #1: name '' is invalid (1..32 characters from A-Z a-z 0-9 _ . -)");
}

TEST_CASE("config: interface names follow the kernel's rules") {
  const auto on = [](std::string_view interface) {
    return "[[instance]]\nname = \"web\"\ninterface = \"" + std::string(interface) +
           "\"\nvrid = 1\nvips = [\"192.0.2.1\"]\n";
  };
  CHECK(accept(on("enp0s31f6.1234")).instances.at(0).interface == "enp0s31f6.1234");
  CHECK(accept(on(std::string(15, 'e'))).instances.at(0).interface == std::string(15, 'e'));
  for (const std::string& bad : {std::string(16, 'e'), std::string("eth0:1"), std::string("a/b"),
                                 std::string("eth 0"), std::string(""), std::string("..")}) {
    CAPTURE(bad);
    CHECK(only_error(on(bad)) == "test.toml:3:13: instance 'web': interface '" + bad +
                                     "' is not a valid interface name (1..15 characters, no "
                                     "'/', ':' or whitespace)");
  }
}

TEST_CASE("config: vips are IPv4 addresses or prefixes, at least one, no duplicates") {
  const std::string head = "[[instance]]\nname = \"web\"\ninterface = \"eth0\"\nvrid = 1\n";
  CHECK(only_error(head + R"(vips = ["2001:db8::1/64"])") ==
        "test.toml:5:9: instance 'web': VIP '2001:db8::1/64': IPv6 VIPs are not supported yet");
  CHECK(only_error(head + R"(vips = ["192.0.2.300/24"])") ==
        "test.toml:5:9: instance 'web': invalid VIP '192.0.2.300/24' (expected an IPv4 address "
        "with an optional /prefix-length, e.g. \"192.0.2.100/24\")");
  CHECK(only_error(head + R"(vips = ["192.0.2.1/33"])").find("invalid VIP '192.0.2.1/33'") !=
        std::string::npos);
  CHECK(only_error(head + R"(vips = ["192.0.2.1/24", "192.0.2.1"])") ==
        "test.toml:5:25: instance 'web': duplicate VIP 192.0.2.1");
  CHECK(only_error(head + "vips = []") ==
        "test.toml:5:8: instance 'web': vips must list at least one address");
  CHECK(only_error(head + "vips = [\"192.0.2.1\", 42]") ==
        "test.toml:5:22: instance 'web': vips entry 2 must be a string, not an integer");
  CHECK(only_error(head + R"(vips = "192.0.2.1")") ==
        "test.toml:5:8: instance 'web': vips must be an array, not a string");
  CHECK(only_error(head) == "test.toml:1:1: instance 'web': missing required key 'vips'");
}

TEST_CASE("config: track references must name an existing check") {
  CHECK(only_error(tracked_instance_with(R"(track = [{ check = "wbe" }])")) ==
        "test.toml:10:20: instance 'web': track references unknown check 'wbe' (did you mean "
        "'web'?)");
  CHECK(only_error(tracked_instance_with(R"(track = [{ check = "database" }])")) ==
        "test.toml:10:20: instance 'web': track references unknown check 'database'");
  CHECK(only_error(tracked_instance_with(R"(track = [{ check = "web" }, { check = "web" }])")) ==
        "test.toml:10:39: instance 'web': track lists check 'web' twice");
  CHECK(only_error(tracked_instance_with(R"(track = [{ weight = -10 }])")) ==
        "test.toml:10:10: instance 'web': track #1: needs one of check, interface or file (e.g. "
        "track = [{ check = \"web\", weight = -100 }, { interface = \"eth1\" }])");
  CHECK(only_error(tracked_instance_with(R"(track = ["web"])")) ==
        "test.toml:10:10: instance 'web': track #1 must be a table (e.g. track = [{ check = "
        "\"web\", weight = -100 }, { interface = \"eth1\" }]), not a string");
}

TEST_CASE("config: a track may reference a check defined later in the file") {
  const Config config =
      accept(instance_with(R"(track = [{ check = "web", weight = -5 }])") + check_with(""));
  REQUIRE(config.instances.at(0).track.size() == 1);
  CHECK(config.instances[0].track[0].check == "web");
  CHECK(config.instances[0].track[0].weight == -5);
}

TEST_CASE("config: unknown keys are errors, at the key, with a suggestion when close") {
  CHECK(only_error(instance_with("priorty = 150")) ==
        "test.toml:6:1: instance 'web': unknown key 'priorty' (did you mean 'priority'?)");
  CHECK(only_error(instance_with("  vrdi = 3")) ==
        "test.toml:6:3: instance 'web': unknown key 'vrdi' (did you mean 'vrid'?)");
  CHECK(only_error(instance_with(R"(colour = "red")")) ==
        "test.toml:6:1: instance 'web': unknown key 'colour'");
  CHECK(only_error(check_with(R"(intervall = "1s")")) ==
        "test.toml:4:1: check 'web': unknown key 'intervall' (did you mean 'interval'?)");
  CHECK(only_error("[global]\nrouter-id = \"lb1\"\n") ==
        "test.toml:2:1: global: unknown key 'router-id' (did you mean 'router_id'?)");
  CHECK(only_error("[[instances]]\nname = \"web\"\n") ==
        "test.toml:1:1: unknown key 'instances' (did you mean 'instance'?)");
  CHECK(only_error(tracked_instance_with(R"(track = [{ check = "web", wieght = 1 }])")) ==
        "test.toml:10:27: instance 'web': track #1: unknown key 'wieght' (did you mean "
        "'weight'?)");
}

TEST_CASE("config: duplicate names and VRIDs") {
  const std::string second_instance =
      "[[instance]]\nname = \"web\"\ninterface = \"eth1\"\nvrid = 51\nvips = [\"192.0.2.2\"]\n";
  CHECK(only_error(instance_with("") + second_instance) ==
        "test.toml:8:8: instance 'web': duplicate instance name (first defined at line 2)");

  const std::string same_vrid =
      "[[instance]]\nname = \"api\"\ninterface = \"eth0\"\nvrid = 51\nvips = [\"192.0.2.2\"]\n";
  CHECK(only_error(instance_with("") + same_vrid) ==
        "test.toml:10:8: instance 'api': vrid 51 on interface 'eth0' is already used by "
        "instance 'web'");
  // The same VRID on another link is a separate virtual router.
  const std::string other_link =
      "[[instance]]\nname = \"api\"\ninterface = \"eth1\"\nvrid = 51\nvips = [\"192.0.2.2\"]\n";
  CHECK(accept(instance_with("") + other_link).instances.size() == 2);

  CHECK(only_error(check_with("") + check_with("")) ==
        "test.toml:6:8: check 'web': duplicate check name (first defined at line 2)");
}

TEST_CASE("config: missing required keys point at the table header") {
  const std::vector<Diagnostic> errors = errors_of("\n[[instance]]\nname = \"web\"\n");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].to_string() == "test.toml:2:1: instance 'web': missing required key 'interface'");
  CHECK(errors[1].to_string() == "test.toml:2:1: instance 'web': missing required key 'vrid'");
  CHECK(errors[2].to_string() == "test.toml:2:1: instance 'web': missing required key 'vips'");

  const std::vector<Diagnostic> unnamed = errors_of("[[check]]\n");
  REQUIRE(unnamed.size() == 2);
  CHECK(unnamed[0].to_string() == "test.toml:1:1: check #1: missing required key 'name'");
  CHECK(unnamed[1].to_string() == "test.toml:1:1: check #1: needs one of command, tcp or http (e.g. tcp = \"127.0.0.1:80\")");
}

TEST_CASE("config: wrong value types name the field and both types") {
  CHECK(only_error(instance_with(R"(priority = "high")")) ==
        "test.toml:6:12: instance 'web': priority must be an integer, not a string");
  CHECK(only_error(instance_with("priority = 150.0")) ==
        "test.toml:6:12: instance 'web': priority must be an integer, not a float");
  CHECK(only_error(instance_with(R"(preempt = "yes")")) ==
        "test.toml:6:11: instance 'web': preempt must be a boolean, not a string");
  CHECK(only_error("[global]\nrouter_id = 1\n") ==
        "test.toml:2:13: global: router_id must be a string, not an integer");
  CHECK(only_error(
            "[[instance]]\nname = 5\ninterface = \"eth0\"\nvrid = 1\nvips = [\"192.0.2.1\"]\n") ==
        "test.toml:2:8: instance #1: name must be a string, not an integer");
  // argv, paths and interface names end at the first NUL, so a string carrying one is refused.
  CHECK(only_error(R"(check = [{ name = "web", command = ["/bin/true", "a\u0000b"] }])") ==
        "test.toml:1:50: check 'web': command entry 2 must not contain a NUL character");
}

TEST_CASE("config: sections must have the right shape") {
  CHECK(only_error("global = 1\n") ==
        "test.toml:1:10: global must be a table ([global]), not an integer");
  CHECK(only_error("[check]\nname = \"web\"\n") ==
        "test.toml:1:1: check must be an array of tables ([[check]] sections), not a table");
  CHECK(only_error("[instance]\nname = \"web\"\n") ==
        "test.toml:1:1: instance must be an array of tables ([[instance]] sections), not a table");
}

TEST_CASE("config: global control_socket must be a usable absolute path") {
  CHECK(only_error("[global]\ncontrol_socket = \"run/floatd.sock\"\n") ==
        "test.toml:2:18: global: control_socket 'run/floatd.sock' must be an absolute path");
  const std::string longest = "/" + std::string(106, 's');  // 107 bytes + NUL fill sun_path
  CHECK(accept("[global]\ncontrol_socket = \"" + longest + "\"\n").global.control_socket ==
        longest);
  CHECK(only_error("[global]\ncontrol_socket = \"" + longest + "s\"\n") ==
        "test.toml:2:18: global: control_socket is 108 bytes long; a unix socket path holds at "
        "most 107");
}

TEST_CASE("config: all problems are reported together, in file order") {
  const std::vector<Diagnostic> errors = errors_of(R"([[instance]]
name = "web"
interface = "eth0"
vrid = 0
priority = 300
vips = ["2001:db8::1"]
garp_count = 0

[global]
colour = "blue"
)");
  REQUIRE(errors.size() == 5);
  CHECK(errors[0].to_string() == "test.toml:4:8: instance 'web': vrid 0 out of range 1..255");
  CHECK(errors[1].to_string() ==
        "test.toml:5:12: instance 'web': priority 300 out of range 1..255");
  CHECK(errors[2].to_string() ==
        "test.toml:6:9: instance 'web': VIP '2001:db8::1': IPv6 VIPs are not supported yet");
  CHECK(errors[3].to_string() ==
        "test.toml:7:14: instance 'web': garp_count 0 out of range 1..100");
  CHECK(errors[4].to_string() == "test.toml:10:1: global: unknown key 'colour'");
}

TEST_CASE("config: a file with several mistakes reports them all in what()") {
  const std::string path = kDataDir + "/invalid_values.toml";
  try {
    load_config_file(path);
    FAIL("the configuration was accepted");
  } catch (const ConfigError& e) {
    CHECK(e.diagnostics().size() == 3);
    CHECK(std::string(e.what()) ==
          path + ":10:12: instance 'web': priority 300 out of range 1..255\n" + path +
              ":11:19: instance 'web': advert_interval must be a string with a unit, e.g. "
              "\"100ms\"\n" +
              path +
              ":13:20: instance 'web': track references unknown check 'wbe' (did you "
              "mean 'web'?)");
  }
}

TEST_CASE("config: TOML syntax errors become one single-line diagnostic") {
  CHECK(only_error("[global]\nrouter_id = \"lb1\n") ==
        "test.toml:2:13: the next token is not a valid string");
  CHECK(only_error("[global]\nrouter_id = \"lb1\" \"lb2\"\n") ==
        "test.toml:2:19: invalid line format: expected newline, but got '\"'.");
  // A duplicate key is reported at its second definition.
  CHECK(only_error("[global]\nrouter_id = \"a\"\nrouter_id = \"b\"\n") ==
        "test.toml:3:13: value (\"router_id\") already exists: value defined twice");
  CHECK(only_error("[[instance]]\nvrid = 07\n") == "test.toml:2:8: bad integer: leading zero");
}

TEST_CASE("config: a syntax error in a file names the file") {
  const std::string path = kDataDir + "/bad_syntax.toml";
  try {
    load_config_file(path);
    FAIL("the configuration was accepted");
  } catch (const ConfigError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].file == path);
    CHECK(e.diagnostics()[0].line == 2);
    CHECK(e.diagnostics()[0].column == 13);
    CHECK(std::string(e.what()) == path + ":2:13: the next token is not a valid string");
  }
}

TEST_CASE("config: an unreadable file is one diagnostic without a position") {
  const std::string missing = kDataDir + "/does-not-exist.toml";
  try {
    load_config_file(missing);
    FAIL("a missing file was accepted");
  } catch (const ConfigError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].line == 0);
    CHECK(e.diagnostics()[0].column == 0);
    CHECK(std::string(e.what()) ==
          missing + ": cannot read configuration: No such file or directory");
  }
  try {
    load_config_file(kDataDir);
    FAIL("a directory was accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == kDataDir + ": cannot read configuration: Is a directory");
  }
}

TEST_CASE("config: Diagnostic::to_string with and without a position") {
  CHECK(Diagnostic{"a.toml", 3, 7, "boom"}.to_string() == "a.toml:3:7: boom");
  CHECK(Diagnostic{"a.toml", 0, 0, "cannot read configuration: x"}.to_string() ==
        "a.toml: cannot read configuration: x");
}

TEST_CASE("config: invalid UTF-8 is refused with its position (toml11 must not see it)") {
  try {
    parse_config("[global]\nrouter_id = 'x\xff'\n", "u.toml");
    FAIL("accepted invalid UTF-8");
  } catch (const ConfigError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].to_string() == "u.toml:2:15: invalid UTF-8 (TOML files are UTF-8)");
  }
  CHECK_NOTHROW(parse_config("# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n[global]\n", "ok.toml"));
}

TEST_CASE("config: a diagnostic stays on one line whatever the file quotes") {
  try {
    parse_config("[global]\n\"a\\nb\" = 1\n", "n.toml");
    FAIL("accepted an unknown key");
  } catch (const ConfigError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].to_string() == "n.toml:2:10: global: unknown key 'a\\nb'");
  }
}

#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "conf/config_diff.hpp"
#include "conf/config_loader.hpp"

namespace {

using namespace floatd::conf;

const std::string kCheck = R"([[check]]
name = "web"
command = ["/bin/true"]
)";

std::string instance(std::string_view name, int vrid, std::string_view extra = "") {
  return fmt::format(R"([[instance]]
name = "{}"
interface = "eth0"
vrid = {}
vips = ["192.0.2.{}/24"]
{}
)",
                     name, vrid, vrid, extra);
}

ConfigDiff diff_of(const std::string& running, const std::string& next) {
  return diff_configs(parse_config(running, "old.toml"), parse_config(next, "new.toml"));
}

const InstanceDiff& only_instance(const ConfigDiff& diff) {
  REQUIRE(diff.instances.size() == 1);
  return diff.instances[0];
}

}  // namespace

TEST_CASE("config diff: the same file changes nothing") {
  const auto text = kCheck + instance("web", 51) + instance("db", 52);
  const auto diff = diff_of(text, text);
  CHECK(diff.empty());
  CHECK(format_plan(diff) == std::vector<std::string>{"instance web: unchanged",
                                                      "instance db: unchanged",
                                                      "check web: unchanged",
                                                      "nothing to change"});
}

TEST_CASE("config diff: priority, VIPs, timers and tracks are updated in place") {
  const auto d = only_instance(diff_of(
      kCheck + instance("web", 51),
      kCheck + instance("web", 51,
                        "priority = 120\nadvert_interval = \"100ms\"\npreempt = false\n"
                        "track = [{ check = \"web\", weight = -50 }]\ngarp_count = 5")));
  CHECK(d.change == Change::Updated);
  CHECK(d.details == std::vector<std::string>{"priority 100 -> 120",
                                              "advert_interval 1s -> 100ms", "preempt true -> false",
                                              "track [] -> [check web:-50]", "garp_count 3 -> 5"});
}

TEST_CASE("config diff: VIPs added and removed are named with a sign") {
  const auto d = only_instance(
      diff_of(instance("web", 51),
              R"([[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.7/24", "192.0.2.51/24"]
)"));
  CHECK(d.change == Change::Updated);
  CHECK(d.details == std::vector<std::string>{"vips +192.0.2.7/24"});
  const auto back = only_instance(diff_of(R"([[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.7/24", "192.0.2.51/24"]
)",
                                          instance("web", 51)));
  CHECK(back.details == std::vector<std::string>{"vips -192.0.2.7/24"});
}

TEST_CASE("config diff: another VRID or interface restarts the instance") {
  auto d = only_instance(diff_of(instance("web", 51), R"([[instance]]
name = "web"
interface = "eth1"
vrid = 52
vips = ["192.0.2.51/24"]
)"));
  CHECK(d.change == Change::Restarted);
  CHECK(d.details == std::vector<std::string>{"interface 'eth0' -> 'eth1'", "vrid 51 -> 52"});
}

TEST_CASE("config diff: becoming or leaving the address owner restarts, other priorities do not") {
  CHECK(only_instance(diff_of(instance("web", 51), instance("web", 51, "priority = 255"))).change ==
        Change::Restarted);
  CHECK(only_instance(diff_of(instance("web", 51, "priority = 255"), instance("web", 51))).change ==
        Change::Restarted);
  CHECK(only_instance(diff_of(instance("web", 51, "priority = 254"), instance("web", 51))).change ==
        Change::Updated);
}

TEST_CASE("config diff: instances are matched by name, new ones added, missing ones removed") {
  const auto diff = diff_of(instance("web", 51) + instance("old", 60),
                            instance("new", 61) + instance("web", 51));
  CHECK(format_plan(diff) == std::vector<std::string>{"instance new: added",
                                                      "instance web: unchanged",
                                                      "instance old: removed"});
  CHECK_FALSE(diff.empty());
}

TEST_CASE("config diff: a changed check is updated, a new script_user updates every check") {
  auto diff = diff_of(kCheck, R"([[check]]
name = "web"
command = ["/bin/false"]
rise = 3
)");
  REQUIRE(diff.checks.size() == 1);
  CHECK(diff.checks[0].change == Change::Updated);
  CHECK(diff.checks[0].details ==
        std::vector<std::string>{"command ['/bin/true'] -> ['/bin/false']", "rise 2 -> 3"});

  diff = diff_of(kCheck, "[global]\nscript_user = \"nobody\"\n" + kCheck);
  CHECK(diff.checks[0].change == Change::Updated);
  CHECK(diff.global == std::vector<std::string>{"script_user '' -> 'nobody'"});
}

TEST_CASE("config diff: control_socket and state_dir wait for a restart, router_id applies") {
  const auto diff = diff_of("[global]\nrouter_id = \"a\"\n",
                            "[global]\nrouter_id = \"b\"\ncontrol_socket = \"/run/x.sock\"\n"
                            "state_dir = \"/var/lib/x\"\n");
  CHECK(diff.global == std::vector<std::string>{"router_id 'a' -> 'b'"});
  CHECK(diff.at_restart.size() == 2);
  const auto plan = format_plan(diff);
  REQUIRE(plan.size() == 3);
  CHECK(plan[1] ==
        "global: control_socket '/run/floatd/floatd.sock' -> '/run/x.sock' (takes effect at the "
        "next restart, not by a reload)");
  CHECK_FALSE(diff.empty());
}

// `floatd --check --print`: the effective configuration, defaults filled in, reads back the same.
#include <doctest/doctest.h>

#include "conf/config_loader.hpp"
#include "conf/config_writer.hpp"

using namespace floatd::conf;

namespace {

const char* kMinimal = R"(
[[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.100/24"]
)";

const char* kFull = R"(
[global]
router_id = "lb \"one\""
script_user = "checker"
[[check]]
name = "web"
command = ["/bin/sh", "-c", "test -e '/run/web ok'"]
interval = "1.5s"
[[instance]]
name = "web"
interface = "eth0"
vrid = 51
priority = 150
advert_interval = "100ms"
vips = ["192.0.2.100/24", "192.0.2.101"]
preempt = false
preempt_delay = "2m"
track = [{ check = "web", weight = -100 }]
garp_refresh = "30s"
)";

}  // namespace

TEST_CASE("config print: every default is written out") {
  const auto text = format_config(parse_config(kMinimal, "min.toml"));
  for (const char* line : {"control_socket = \"/run/floatd/floatd.sock\"", "priority = 100",
                           "advert_interval = \"1s\"", "preempt = true", "preempt_delay = \"0s\"",
                           "garp_count = 3", "garp_interval = \"100ms\"", "garp_refresh = \"0s\"",
                           "state_dir = \"/var/lib/floatd\"", "track = []"}) {
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  }
}

TEST_CASE("config print: the output parses back to the same configuration") {
  for (const char* source : {kMinimal, kFull}) {
    const auto once = format_config(parse_config(source, "a.toml"));
    const auto twice = format_config(parse_config(once, "a.toml"));
    CHECK(once == twice);
  }
  const auto text = format_config(parse_config(kFull, "a.toml"));
  CHECK(parse_config(text, "b.toml").global.router_id == "lb \"one\"");  // quoting survives
  CHECK(text.find(R"(timeout = "500ms")") != std::string::npos);
  CHECK(text.find(R"(vips = ["192.0.2.100/24", "192.0.2.101/32"])") != std::string::npos);
  CHECK(text.find(R"(track = [{ check = "web", weight = -100 }])") != std::string::npos);
}

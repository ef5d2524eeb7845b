// The table of broken configurations: each file yields exactly these diagnostics, one per
// problem, as "FILE:LINE:COL: message" naming the field (issue 4's error contract).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "conf/config_loader.hpp"

namespace {

using floatd::conf::ConfigError;

const std::string kInstance = R"([[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.100/24"]
)";
const std::string kCheck = R"([[check]]
name = "web"
command = ["/bin/true"]
)";

std::string instance_with_vips(const std::string& vips) {
  return "[[instance]]\nname = \"web\"\ninterface = \"eth0\"\nvrid = 51\nvips = " + vips + "\n";
}

struct BrokenFile {
  const char* what;
  std::string toml;
  std::vector<std::string> diagnostics;
};

const std::vector<BrokenFile> kBrokenFiles = {
    {"TOML syntax: a key without a value", "x = \n",
     {"t.toml:1:5: missing value after key-value separator '=': expected value, but got nothing"}},
    {"TOML syntax: an unterminated string", "[global]\nrouter_id = \"lb1\n",
     {"t.toml:2:13: the next token is not a valid string"}},
    {"TOML syntax: a key defined twice", "[global]\nrouter_id = \"a\"\nrouter_id = \"b\"\n",
     {"t.toml:3:13: value (\"router_id\") already exists: value defined twice"}},
    {"wrong type", kInstance + "priority = \"high\"\n",
     {"t.toml:6:12: instance 'web': priority must be an integer, not a string"}},
    {"wrong type, boolean", kInstance + "preempt = \"yes\"\n",
     {"t.toml:6:11: instance 'web': preempt must be a boolean, not a string"}},
    {"a section of the wrong shape", "instance = 5\n",
     {"t.toml:1:12: instance must be an array of tables ([[instance]] sections), not an integer"}},
    {"out of range", kInstance + "priority = 0\n",
     {"t.toml:6:12: instance 'web': priority 0 out of range 1..255"}},
    {"wide integer, not wrapped into uint8", kInstance + "priority = 4294967396\n",
     {"t.toml:6:12: instance 'web': priority 4294967396 out of range 1..255"}},
    {"missing required key",
     "[[instance]]\nname = \"web\"\ninterface = \"eth0\"\nvips = [\"192.0.2.100/24\"]\n",
     {"t.toml:1:1: instance 'web': missing required key 'vrid'"}},
    {"bad address", instance_with_vips("[\"192.0.2.300/24\"]"),
     {"t.toml:5:9: instance 'web': invalid VIP '192.0.2.300/24' (expected an IPv4 address with an "
      "optional /prefix-length, e.g. \"192.0.2.100/24\")"}},
    {"bad prefix length", instance_with_vips("[\"192.0.2.10/33\"]"),
     {"t.toml:5:9: instance 'web': invalid VIP '192.0.2.10/33' (expected an IPv4 address with an "
      "optional /prefix-length, e.g. \"192.0.2.100/24\")"}},
    {"no VIP", instance_with_vips("[]"),
     {"t.toml:5:8: instance 'web': vips must list at least one address"}},
    {"duration as a number", kInstance + "advert_interval = 100\n",
     {"t.toml:6:19: instance 'web': advert_interval must be a string with a unit, e.g. \"100ms\""}},
    {"duration without a unit", kInstance + "advert_interval = \"100\"\n",
     {"t.toml:6:19: instance 'web': advert_interval \"100\" is not a valid duration (a number with "
      "unit us, ms, s, m or h, e.g. \"100ms\")"}},
    {"duration out of the VRRPv3 range", kInstance + "advert_interval = \"5ms\"\n",
     {"t.toml:6:19: instance 'web': advert_interval 5ms out of range 10ms..40950ms"}},
    {"duration not in centiseconds", kInstance + "advert_interval = \"105ms\"\n",
     {"t.toml:6:19: instance 'web': advert_interval 105ms is not a whole number of centiseconds "
      "(VRRPv3 advertises it in 10ms units)"}},
    {"check timeout beyond its interval", kCheck + "interval = \"1s\"\ntimeout = \"2s\"\n",
     {"t.toml:5:11: check 'web': timeout 2s exceeds interval 1s"}},
    {"unknown key, near miss", kInstance + "prority = 100\n",
     {"t.toml:6:1: instance 'web': unknown key 'prority' (did you mean 'priority'?)"}},
    {"unknown key, nothing close", kInstance + "colour = \"red\"\n",
     {"t.toml:6:1: instance 'web': unknown key 'colour'"}},
    {"duplicate instance name (and so its VRID)", kInstance + kInstance,
     {"t.toml:7:8: instance 'web': duplicate instance name (first defined at line 2)",
      "t.toml:9:8: instance 'web': vrid 51 on interface 'eth0' is already used by instance 'web'"}},
    {"duplicate VRID on one interface",
     kInstance + "[[instance]]\nname = \"db\"\ninterface = \"eth0\"\nvrid = 51\n"
                 "vips = [\"192.0.2.101/24\"]\n",
     {"t.toml:9:8: instance 'db': vrid 51 on interface 'eth0' is already used by instance 'web'"}},
    {"a track naming no check", kInstance + "track = [{ check = \"nope\" }]\n",
     {"t.toml:6:20: instance 'web': track references unknown check 'nope'"}},
    {"track weight out of range", kCheck + kInstance + "track = [{ check = \"web\", weight = 300 }]\n",
     {"t.toml:9:36: instance 'web': track #1: weight 300 out of range -254..254"}},
    {"command without an absolute path", "[[check]]\nname = \"web\"\ncommand = [\"true\"]\n",
     {"t.toml:3:12: check 'web': command 'true' must start with an absolute path"}},
    {"empty argv", "[[check]]\nname = \"web\"\ncommand = []\n",
     {"t.toml:3:11: check 'web': command must not be empty (it is the argv to run, e.g. "
      "[\"/usr/bin/curl\", \"-fsS\", \"http://127.0.0.1/\"])"}},
    {"rise below 1", kCheck + "rise = 0\n",
     {"t.toml:4:8: check 'web': rise 0 out of range 1..100"}},
    {"relative control socket", "[global]\ncontrol_socket = \"floatd.sock\"\n",
     {"t.toml:2:18: global: control_socket 'floatd.sock' must be an absolute path"}},
    {"relative metrics file", "[global]\nmetrics_textfile = \"floatd.prom\"\n",
     {"t.toml:2:20: global: metrics_textfile 'floatd.prom' must be an absolute path"}},
    {"metrics file the collector would ignore", "[global]\nmetrics_textfile = \"/var/lib/x/f.txt\"\n",
     {"t.toml:2:20: global: metrics_textfile '/var/lib/x/f.txt' must end in .prom (the textfile "
      "collector reads only *.prom files)"}},
    {"interface name the kernel refuses", kInstance + "[[instance]]\nname = \"db\"\n"
                                                      "interface = \"eth0/1\"\nvrid = 52\n"
                                                      "vips = [\"192.0.2.101/24\"]\n",
     {"t.toml:8:13: instance 'db': interface 'eth0/1' is not a valid interface name (1..15 "
      "characters, no '/', ':' or whitespace)"}},
    {"instance name with a space",
     "[[instance]]\nname = \"web server\"\ninterface = \"eth0\"\nvrid = 51\n"
     "vips = [\"192.0.2.100/24\"]\n",
     {"t.toml:2:8: instance #1: name 'web server' is invalid (1..32 characters from A-Z a-z 0-9 _ . "
      "-)"}},
    {"IPv6 VIP (not supported yet)", instance_with_vips("[\"2001:db8::1/64\"]"),
     {"t.toml:5:9: instance 'web': VIP '2001:db8::1/64': IPv6 VIPs are not supported yet"}},
};

std::vector<std::string> diagnostics_of(const std::string& toml) {
  try {
    floatd::conf::parse_config(toml, "t.toml");
  } catch (const ConfigError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  return {"(accepted)"};
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& l : v) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("config errors: every broken file gives exactly its FILE:LINE:COL diagnostics") {
  CHECK(kBrokenFiles.size() >= 30);
  for (const auto& broken : kBrokenFiles) {
    INFO("case: ", std::string(broken.what), "\n", broken.toml);
    CHECK(lines(diagnostics_of(broken.toml)) == lines(broken.diagnostics));
  }
}

TEST_CASE("config errors: the problems of one file are all reported, in file order") {
  const auto all = diagnostics_of(kCheck + "rise = 0\n" + kInstance +
                                  "priority = 0\nprority = 1\ntrack = [{ check = \"x\" }]\n");
  CHECK(lines(all) == lines({
                   "t.toml:4:8: check 'web': rise 0 out of range 1..100",
                   "t.toml:10:12: instance 'web': priority 0 out of range 1..255",
                   "t.toml:11:1: instance 'web': unknown key 'prority' (did you mean 'priority'?)",
                   "t.toml:12:20: instance 'web': track references unknown check 'x'",
               }));
}

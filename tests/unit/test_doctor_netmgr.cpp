// floatd doctor: systemd-networkd's KeepConfiguration= and NetworkManager's device states.
#include <doctest/doctest.h>

#include "agent/doctor_netmgr.hpp"
#include "doctor_helpers.hpp"

using namespace floatd::doctor;
using doctor_test::contains;

namespace {

const auto kConfig = doctor_test::two_interfaces();

NetworkdFacts networkd(std::optional<std::string> keep, std::string admin = "configured") {
  return {true,
          {{"eth0", {admin, "/etc/systemd/network/10-eth0.network", keep,
                     keep ? "/etc/systemd/network/10-eth0.network" : ""}}}};
}

}  // namespace

TEST_CASE("doctor networkd: KeepConfiguration= read like systemd: [Network] only, last wins") {
  using Files = std::vector<std::pair<std::string, std::string>>;
  CHECK(keep_configuration(Files{{"a.network", "[Match]\nName=eth0\n[Network]\nDHCP=yes\n"}}).first ==
        std::nullopt);
  auto [value, source] = keep_configuration(Files{
      {"a.network", "[Network]\nKeepConfiguration=no\n"},
      {"a.network.d/10.conf", "# keep VIPs\n[Network]\n  KeepConfiguration = static \n"},
      {"a.network.d/20.conf", "[DHCPv4]\nKeepConfiguration=dhcp\n"}});  // wrong section
  CHECK(value == "static");
  CHECK(source == "a.network.d/10.conf");
  // An empty assignment resets to the default.
  CHECK(keep_configuration(Files{{"a", "[Network]\nKeepConfiguration=yes\n"},
                                 {"b", "[Network]\nKeepConfiguration=\n"}})
            .first == std::nullopt);
  CHECK(keeps_static_addresses("static"));
  CHECK(keeps_static_addresses("yes"));
  CHECK(keeps_static_addresses("True"));
  CHECK_FALSE(keeps_static_addresses("dhcp"));
  CHECK_FALSE(keeps_static_addresses("dhcp-on-stop"));
  CHECK_FALSE(keeps_static_addresses("no"));
}

TEST_CASE("doctor networkd: a managed link without KeepConfiguration=static is a warning") {
  auto findings = evaluate_networkd(kConfig, networkd(std::nullopt));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
  CHECK(findings[0].subject == "systemd-networkd");
  CHECK(contains(findings[0].problem, "manages eth0 (/etc/systemd/network/10-eth0.network)"));
  CHECK(contains(findings[0].problem, "instances 'web', 'db'"));
  CHECK(contains(findings[0].fix, "/etc/systemd/network/10-eth0.network.d/floatd.conf"));
  CHECK(contains(findings[0].fix, "KeepConfiguration=static"));

  findings = evaluate_networkd(kConfig, networkd("dhcp"));
  REQUIRE(findings.size() == 1);
  CHECK(contains(findings[0].problem, "KeepConfiguration=dhcp"));
}

TEST_CASE("doctor networkd: kept, unmanaged, or not running: nothing to say") {
  CHECK(evaluate_networkd(kConfig, networkd("static")).empty());
  CHECK(evaluate_networkd(kConfig, networkd("yes")).empty());
  CHECK(evaluate_networkd(kConfig, networkd(std::nullopt, "unmanaged")).empty());
  NetworkdFacts stopped = networkd(std::nullopt);
  stopped.running = false;
  CHECK(evaluate_networkd(kConfig, stopped).empty());
  CHECK(parse_key_values("# private\nADMIN_STATE=configured\nNETWORK_FILE=/x.network\nbad\n") ==
        std::map<std::string, std::string>{{"ADMIN_STATE", "configured"},
                                           {"NETWORK_FILE", "/x.network"}});
}

TEST_CASE("doctor NetworkManager: managed devices warn, unmanaged ones do not") {
  const auto states = parse_nmcli_devices("eth0:connected\neth1:unmanaged\nlo:unmanaged\n"
                                          "we\\:ird:disconnected\n");
  CHECK(states.at("eth0") == "connected");
  CHECK(states.at("we:ird") == "disconnected");

  auto findings = evaluate_network_manager(kConfig, {true, "", states});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
  CHECK(contains(findings[0].problem, "manages eth0 (state 'connected')"));
  CHECK(contains(findings[0].fix, "match-device=interface-name:eth0"));
  CHECK(contains(findings[0].fix, "managed=0"));

  findings = evaluate_network_manager(
      kConfig, {true, "", {{"eth0", "connected (externally)"}, {"eth1", "unmanaged"}}});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Note);

  CHECK(evaluate_network_manager(kConfig, {false, "", {{"eth0", "connected"}}}).empty());
  findings = evaluate_network_manager(kConfig, {true, "nmcli is not installed", {}});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Note);
}

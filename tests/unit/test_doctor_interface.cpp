// floatd doctor: interface findings and the report format.
#include <doctest/doctest.h>

#include "agent/doctor_interface.hpp"
#include "doctor_helpers.hpp"

using namespace floatd;
using namespace floatd::doctor;
using doctor_test::contains;
using doctor_test::count;

namespace {

IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

LinkFacts healthy(const char* own) { return {true, true, {prefix(own), prefix("fe80::1/64")}}; }

}  // namespace

TEST_CASE("doctor interfaces: healthy links with an address of their own give no finding") {
  const auto config = doctor_test::two_interfaces();
  const LinkTable links{{"eth0", healthy("192.0.2.1/24")}, {"eth1", healthy("198.51.100.1/24")}};
  CHECK(evaluate_interfaces(config, links).empty());
}

TEST_CASE("doctor interfaces: a missing interface is an error naming the instances and file") {
  const auto config = doctor_test::two_interfaces();
  const LinkTable links{{"eth0", std::nullopt}, {"eth1", healthy("198.51.100.1/24")}};
  const auto findings = evaluate_interfaces(config, links);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(findings[0].subject == "interface eth0");
  CHECK(contains(findings[0].problem, "does not exist"));
  CHECK(contains(findings[0].problem, "instances 'web', 'db'"));
  CHECK(contains(findings[0].fix, "/etc/floatd/floatd.toml"));
}

TEST_CASE("doctor interfaces: down and no-carrier are told apart, each with its own fix") {
  const auto config = doctor_test::two_interfaces();
  LinkFacts down = healthy("192.0.2.1/24");
  down.admin_up = down.carrier = false;
  LinkFacts no_carrier = healthy("198.51.100.1/24");
  no_carrier.carrier = false;
  const auto findings = evaluate_interfaces(config, {{"eth0", down}, {"eth1", no_carrier}});
  REQUIRE(findings.size() == 2);
  CHECK(contains(findings[0].problem, "is down"));
  CHECK(contains(findings[0].fix, "ip link set eth0 up"));
  CHECK(contains(findings[1].problem, "no carrier"));
  CHECK(contains(findings[1].fix, "cable"));
}

TEST_CASE("doctor interfaces: VIPs and IPv6 do not count as the advert source") {
  const auto config = doctor_test::two_interfaces();
  // eth0 holds only the VIPs (of both instances) and a link-local IPv6 address.
  const LinkFacts only_vips{true, true,
                            {prefix("192.0.2.100/24"), prefix("192.0.2.101/32"),
                             prefix("fe80::1/64")}};
  const auto findings =
      evaluate_interfaces(config, {{"eth0", only_vips}, {"eth1", healthy("198.51.100.1/24")}});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].problem, "no IPv4 address of its own"));
  // A VIP of the *other* interface's instance is an address of its own here.
  const LinkFacts foreign_vip{true, true, {prefix("198.51.100.10/24")}};
  CHECK(evaluate_interfaces(config, {{"eth0", foreign_vip}, {"eth1", healthy("198.51.100.1/24")}})
            .empty());
}

TEST_CASE("doctor report: errors first, fixes indented, a summary; exit 1 only for problems") {
  const Findings notes{{Severity::Note, "instance 'web'", "heard a peer", ""}};
  CHECK(exit_status(notes) == 0);
  CHECK(format_report(notes) == "note     instance 'web': heard a peer\nno problems found\n");

  const Findings mixed{{Severity::Warning, "interface eth0", "rp_filter is strict", "sysctl -w x"},
                       {Severity::Note, "firewall", "nft not installed", ""},
                       {Severity::Error, "interface eth1", "is down", "ip link set eth1 up"}};
  CHECK(exit_status(mixed) == 1);
  CHECK(problem_count(mixed) == 2);
  CHECK(format_report(mixed) ==
        "error    interface eth1: is down\n"
        "         fix: ip link set eth1 up\n"
        "warning  interface eth0: rp_filter is strict\n"
        "         fix: sysctl -w x\n"
        "note     firewall: nft not installed\n"
        "2 problems found (1 error, 1 warning)\n");
  CHECK(count(mixed, Severity::Error, "eth1") == 1);
}

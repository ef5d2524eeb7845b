// floatd doctor: rp_filter and arp_ignore findings (the larger of all/<interface> applies).
#include <doctest/doctest.h>

#include "agent/doctor_sysctl.hpp"
#include "doctor_helpers.hpp"

using namespace floatd;
using namespace floatd::doctor;
using doctor_test::contains;
using doctor_test::count;

namespace {

LinkTable links() {
  return {{"eth0", LinkFacts{true, true, {*IpPrefix::parse("192.0.2.1/24")}}},
          {"eth1", LinkFacts{true, true, {*IpPrefix::parse("198.51.100.1/24")}}}};
}

SysctlFacts fine() { return {0, 2, 0, 1}; }

Findings run(SysctlFacts eth0, SysctlFacts eth1 = fine()) {
  return evaluate_sysctls(doctor_test::two_interfaces(), {{"eth0", eth0}, {"eth1", eth1}}, links());
}

}  // namespace

TEST_CASE("doctor sysctl: loose or no reverse-path filtering and arp_ignore 0/1/3 are fine") {
  CHECK(run(fine()).empty());
  CHECK(run({2, 0, 3, 0}).empty());
  CHECK(run({std::nullopt, std::nullopt, std::nullopt, std::nullopt}).empty());
}

TEST_CASE("doctor sysctl: strict rp_filter on the interface or on all is a warning") {
  auto findings = run({0, 1, 0, 0});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
  CHECK(findings[0].subject == "interface eth0");
  CHECK(contains(findings[0].problem, "rp_filter all=0, eth0=1"));
  CHECK(findings[0].fix.starts_with("use loose mode (2): sysctl -w net.ipv4.conf.eth0.rp_filter=2,"));

  // all=1 makes an interface set to 0 strict (the larger applies), not one set to 2.
  findings = run({1, 0, 0, 0}, {1, 2, 0, 0});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].subject == "interface eth0");
  CHECK(contains(findings[0].fix, "sysctl -w net.ipv4.conf.all.rp_filter=2,"));  // eth0 is 0
}

TEST_CASE("doctor sysctl: arp_ignore 8 answers nobody: an error") {
  const auto findings = run({0, 0, 8, 0});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].problem, "arp_ignore is 8"));
  CHECK(contains(findings[0].fix, "net.ipv4.conf.all.arp_ignore=1"));
}

TEST_CASE("doctor sysctl: arp_ignore 2 breaks a /32 VIP and limits one outside the own subnet") {
  // eth0: web 192.0.2.100/24 (holds 192.0.2.1: fine), db 192.0.2.101/32 (nobody inside).
  auto findings = run({0, 0, 0, 2});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].problem, "192.0.2.101/32"));
  CHECK(contains(findings[0].fix, "net.ipv4.conf.eth0.arp_ignore=1"));

  // eth1's VIP 198.51.100.10/24 does not hold a host in 203.0.113.0/24.
  const auto config = doctor_test::two_interfaces();
  LinkTable other = links();
  other["eth1"] = LinkFacts{true, true, {*IpPrefix::parse("203.0.113.5/24")}};
  findings = evaluate_sysctls(config, {{"eth1", {0, 0, 2, 0}}}, other);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
  CHECK(contains(findings[0].problem, "198.51.100.10/24"));
}

TEST_CASE("doctor sysctl: interface names with dots use slashes in sysctl keys") {
  const auto config = doctor_test::config(R"(
[[instance]]
name = "v"
interface = "eth0.100"
vrid = 7
vips = ["192.0.2.50/24"]
)");
  const auto findings = evaluate_sysctls(
      config, {{"eth0.100", {0, 1, 0, 0}}},
      {{"eth0.100", LinkFacts{true, true, {*IpPrefix::parse("192.0.2.1/24")}}}});
  REQUIRE(findings.size() == 1);
  CHECK(contains(findings[0].fix, "net.ipv4.conf.eth0/100.rp_filter=2"));
}

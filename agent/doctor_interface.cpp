#include "agent/doctor_interface.hpp"

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"

namespace floatd::doctor {
namespace {

Finding missing(const conf::Config& config, const std::string& ifname, const std::string& who) {
  return {Severity::Error, "interface " + ifname,
          fmt::format("does not exist; floatd refuses to start {} without it", who),
          fmt::format("create or rename the interface, or set `interface` of {} in {} to one "
                      "of this host's interfaces (ip -br link)",
                      who, config.path)};
}

Finding down(const std::string& ifname, const std::string& who) {
  return {Severity::Error, "interface " + ifname,
          fmt::format("is down: {} stays in FAULT and never holds its VIPs", who),
          fmt::format("ip link set {} up, and bring it up at boot in the network configuration",
                      ifname)};
}

Finding no_carrier(const std::string& ifname, const std::string& who) {
  return {Severity::Error, "interface " + ifname,
          fmt::format("is up but has no carrier (no link): {} stays in FAULT", who),
          "check the cable, the switch port or the other end of the link"};
}

Finding no_address(const std::string& ifname, const std::string& who) {
  return {Severity::Error, "interface " + ifname,
          fmt::format("has no IPv4 address of its own (VIPs do not count): floatd has no source "
                      "address for its adverts and refuses to start {}", who),
          fmt::format("give {} an address in its peers' subnet in the network configuration "
                      "(for a test: ip addr add ADDRESS/PREFIX dev {})", ifname, ifname)};
}

}  // namespace

Findings evaluate_interfaces(const conf::Config& config, const LinkTable& links) {
  Findings out;
  for (const std::string& ifname : interfaces_of(config)) {
    const auto users = instances_on(config, ifname);
    const std::string who = describe_instances(users);
    const auto found = links.find(ifname);
    if (found == links.end() || !found->second) {
      out.push_back(missing(config, ifname, who));
      continue;
    }
    const LinkFacts& link = *found->second;
    if (!link.admin_up) {
      out.push_back(down(ifname, who));
    } else if (!link.carrier) {
      out.push_back(no_carrier(ifname, who));
    }
    if (!own_ipv4(link.addresses, users)) out.push_back(no_address(ifname, who));
  }
  return out;
}

}  // namespace floatd::doctor

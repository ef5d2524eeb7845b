// floatd doctor: the instances' interfaces. Each must exist, be up with a carrier, and carry
// an IPv4 address of its own (not a VIP) to send adverts from: without one floatd refuses to
// start the instance, without the link it keeps the instance in FAULT.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/doctor_finding.hpp"
#include "agent/ip_address.hpp"
#include "conf/config.hpp"

namespace floatd::doctor {

struct LinkFacts {
  bool admin_up = false;  // IFF_UP: someone brought it up
  bool carrier = false;   // up and with a carrier: able to carry adverts
  std::vector<IpPrefix> addresses;  // both families, as on the link now
};

// Keyed by interface name; nullopt: no interface of that name exists.
using LinkTable = std::map<std::string, std::optional<LinkFacts>>;

Findings evaluate_interfaces(const conf::Config& config, const LinkTable& links);

}  // namespace floatd::doctor

// One-shot lookups of an interface through libnl (at start-up and after link events).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/ip_address.hpp"

namespace floatd::net {

struct LinkInfo {
  int ifindex = 0;
  std::string name;
  bool up = false;  // IFF_UP and carrier (operationally able to carry adverts)
  std::array<std::uint8_t, 6> mac{};
  std::vector<IpPrefix> addresses;  // all addresses currently on the link, both families
};

// nullopt when no interface has that name. Throws std::runtime_error on netlink failure.
std::optional<LinkInfo> query_link(const std::string& name);

// The address used as the advert source and for the RFC tie-break: the first IPv4 address
// on the link that is not one of `vips` (nullopt if there is none).
std::optional<IpAddress> primary_ipv4(const LinkInfo& link, const std::vector<IpPrefix>& vips);

}  // namespace floatd::net

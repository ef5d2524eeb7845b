// Conversions between libnl objects and floatd's plain values, shared by the query and the
// monitor so both agree on what "up" means and how an address reads.
#pragma once
#include <optional>

#include "agent/ip_address.hpp"
#include "netlink/handles.hpp"

namespace floatd::net {

// AF_INET/AF_INET6 <-> Family.
int to_af(Family family);
std::optional<Family> from_af(int af);

// nullptr only when libnl cannot allocate.
NlAddr to_nl_addr(const IpPrefix& prefix);
// nullopt for families other than IPv4/IPv6.
std::optional<IpAddress> to_ip_address(const nl_addr* addr);

// The local address of an address object with its prefix length.
std::optional<IpPrefix> local_prefix(rtnl_addr* addr);

// Able to carry adverts: administratively up (IFF_UP) and operationally up (IFF_RUNNING, which
// the kernel sets only with carrier, so a veth whose peer is down counts as down).
bool is_operational(rtnl_link* link);

}  // namespace floatd::net

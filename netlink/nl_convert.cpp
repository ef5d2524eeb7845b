#include "netlink/nl_convert.hpp"

#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <sys/socket.h>

#include <cstdint>
#include <span>

namespace floatd::net {

int to_af(Family family) { return family == Family::V4 ? AF_INET : AF_INET6; }

std::optional<Family> from_af(int af) {
  if (af == AF_INET) return Family::V4;
  if (af == AF_INET6) return Family::V6;
  return std::nullopt;
}

NlAddr to_nl_addr(const IpPrefix& prefix) {
  const auto bytes = prefix.address.bytes();
  NlAddr addr(nl_addr_build(to_af(prefix.address.family()), bytes.data(), bytes.size()));
  if (addr) nl_addr_set_prefixlen(addr.get(), prefix.length);
  return addr;
}

std::optional<IpAddress> to_ip_address(const nl_addr* addr) {
  if (!addr) return std::nullopt;
  const auto family = from_af(nl_addr_get_family(addr));
  if (!family) return std::nullopt;
  const auto* data = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(addr));
  return IpAddress::from_bytes(*family, std::span(data, nl_addr_get_len(addr)));
}

std::optional<IpPrefix> local_prefix(rtnl_addr* addr) {
  const auto address = to_ip_address(rtnl_addr_get_local(addr));
  if (!address) return std::nullopt;
  return IpPrefix{*address, static_cast<std::uint8_t>(rtnl_addr_get_prefixlen(addr))};
}

bool is_operational(rtnl_link* link) {
  const unsigned flags = rtnl_link_get_flags(link);
  return (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
}

}  // namespace floatd::net

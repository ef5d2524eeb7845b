#include "netlink/link_info.hpp"

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <algorithm>
#include <stdexcept>

#include "netlink/handles.hpp"
#include "netlink/nl_convert.hpp"

namespace floatd::net {
namespace {

[[noreturn]] void throw_nl(const char* what, int err) {
  throw std::runtime_error(std::string(what) + ": " + nl_geterror(err));
}

std::array<std::uint8_t, 6> mac_of(rtnl_link* link) {
  std::array<std::uint8_t, 6> mac{};
  const nl_addr* addr = rtnl_link_get_addr(link);
  if (addr && nl_addr_get_len(addr) == mac.size()) {  // links without an Ethernet MAC keep zeros
    const auto* bytes = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(addr));
    std::copy_n(bytes, mac.size(), mac.begin());
  }
  return mac;
}

// The link's addresses in the kernel's dump order, which the libnl cache keeps: IPv4 before IPv6,
// and within a family the order `ip addr` shows (primaries before secondaries, each oldest
// first). The order is deterministic, so primary_ipv4() picks the same address every time.
std::vector<IpPrefix> addresses_of(nl_sock* sock, int ifindex) {
  nl_cache* raw = nullptr;
  if (const int err = rtnl_addr_alloc_cache(sock, &raw); err < 0) throw_nl("address dump", err);
  const NlCache cache(raw);
  std::vector<IpPrefix> addresses;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    if (rtnl_addr_get_ifindex(addr) != ifindex) continue;
    if (const auto prefix = local_prefix(addr)) addresses.push_back(*prefix);
  }
  return addresses;
}

}  // namespace

std::optional<LinkInfo> query_link(const std::string& name) {
  NlSock sock;
  if (const int err = open_route_socket(sock); err < 0) throw_nl("netlink socket", err);
  rtnl_link* raw = nullptr;
  const int err = rtnl_link_get_kernel(sock.get(), 0, name.c_str(), &raw);
  // NLE_RANGE: the name is longer than any interface name can be.
  if (err == -NLE_NODEV || err == -NLE_RANGE) return std::nullopt;
  if (err < 0) throw_nl("link lookup", err);
  const RtnlLink link(raw);

  LinkInfo info;
  info.ifindex = rtnl_link_get_ifindex(link.get());
  info.name = rtnl_link_get_name(link.get());
  info.up = is_operational(link.get());
  info.mac = mac_of(link.get());
  info.addresses = addresses_of(sock.get(), info.ifindex);
  return info;
}

std::optional<IpAddress> primary_ipv4(const LinkInfo& link, const std::vector<IpPrefix>& vips) {
  const auto is_vip = [&vips](const IpAddress& address) {
    return std::any_of(vips.begin(), vips.end(),
                       [&address](const IpPrefix& vip) { return vip.address == address; });
  };
  for (const IpPrefix& prefix : link.addresses) {
    if (prefix.address.family() == Family::V4 && !is_vip(prefix.address)) return prefix.address;
  }
  return std::nullopt;
}

}  // namespace floatd::net

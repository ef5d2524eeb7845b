// Owning handles for the kernel resources the adapters hold: libnl objects and plain fds.
// libnl types are only forward-declared here so the public adapter headers stay free of libnl.
#pragma once
#include <memory>
#include <string_view>

#include "agent/unique_fd.hpp"

struct nl_sock;
struct nl_cache;
struct nl_addr;
struct rtnl_addr;
struct rtnl_link;

namespace floatd::net {

struct NlSockDeleter {
  void operator()(nl_sock* sock) const;
};
struct NlCacheDeleter {
  void operator()(nl_cache* cache) const;
};
struct NlAddrDeleter {
  void operator()(nl_addr* addr) const;
};
struct RtnlAddrDeleter {
  void operator()(rtnl_addr* addr) const;
};
struct RtnlLinkDeleter {
  void operator()(rtnl_link* link) const;
};

using NlSock = std::unique_ptr<nl_sock, NlSockDeleter>;
using NlCache = std::unique_ptr<nl_cache, NlCacheDeleter>;
using NlAddr = std::unique_ptr<nl_addr, NlAddrDeleter>;
using RtnlAddr = std::unique_ptr<rtnl_addr, RtnlAddrDeleter>;
using RtnlLink = std::unique_ptr<rtnl_link, RtnlLinkDeleter>;

// A connected NETLINK_ROUTE socket in `out`; returns 0 or a negative libnl error code.
int open_route_socket(NlSock& out);

using floatd::UniqueFd;

// Start-up failures of socket calls: a std::system_error from errno, "<context>: <call>: ...".
[[noreturn]] void throw_errno(std::string_view context, const char* call);

}  // namespace floatd::net

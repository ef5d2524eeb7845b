#include "netlink/handles.hpp"

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace floatd::net {

void NlSockDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }
void NlCacheDeleter::operator()(nl_cache* cache) const { nl_cache_free(cache); }
void NlAddrDeleter::operator()(nl_addr* addr) const { nl_addr_put(addr); }
void RtnlAddrDeleter::operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
void RtnlLinkDeleter::operator()(rtnl_link* link) const { rtnl_link_put(link); }

int open_route_socket(NlSock& out) {
  NlSock sock(nl_socket_alloc());
  if (!sock) return -NLE_NOMEM;
  if (const int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) return err;
  out = std::move(sock);
  return 0;
}

void throw_errno(std::string_view context, const char* call) {
  throw std::system_error(errno, std::generic_category(), std::string(context) + ": " + call);
}

}  // namespace floatd::net

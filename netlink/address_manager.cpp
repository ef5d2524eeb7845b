#include "netlink/address_manager.hpp"

#include <linux/if_addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <stdexcept>
#include <utility>

#include "netlink/nl_convert.hpp"

namespace floatd::net {
namespace {

// The request socket blocks for the kernel's ACK; a bound on that wait keeps a stuck kernel
// (rtnl_lock contention) from freezing the event loop. libnl then reports -NLE_AGAIN.
constexpr timeval kAckTimeout{.tv_sec = 1, .tv_usec = 0};

int open_request_socket(NlSock& out) {
  NlSock sock;
  if (const int err = open_route_socket(sock); err < 0) return err;
  if (setsockopt(nl_socket_get_fd(sock.get()), SOL_SOCKET, SO_RCVTIMEO, &kAckTimeout,
                 sizeof kAckTimeout) < 0) {
    return -nl_syserr2nlerr(errno);
  }
  out = std::move(sock);
  return 0;
}

// Fields that identify the address: the kernel matches deletes on ifindex, local and prefix length.
int identify(rtnl_addr* addr, int ifindex, const IpPrefix& vip) {
  rtnl_addr_set_ifindex(addr, ifindex);
  const NlAddr local = to_nl_addr(vip);
  if (!local) return -NLE_NOMEM;
  return rtnl_addr_set_local(addr, local.get());  // also sets family and prefix length
}

// Extras that only matter when the address is created.
int decorate_for_add(rtnl_addr* addr, const IpPrefix& vip, const std::string& label) {
  if (vip.address.family() == Family::V6) {
    // No duplicate address detection: the VIP must be usable (and announceable) at once. The
    // kernel ignores labels on IPv6 addresses, so none is sent.
    rtnl_addr_set_flags(addr, IFA_F_NODAD);
    return 0;
  }
  return label.empty() ? 0 : rtnl_addr_set_label(addr, label.c_str());  // -NLE_RANGE if > 15
}

std::string describe(int err) { return err == 0 ? std::string() : nl_geterror(err); }

}  // namespace

AddressManager::AddressManager() {
  if (const int err = open_request_socket(sock_); err < 0) {
    throw std::runtime_error(std::string("netlink request socket: ") + nl_geterror(err));
  }
}

AddressManager::~AddressManager() = default;

std::string AddressManager::add(int ifindex, const IpPrefix& vip, const std::string& label) {
  const int err = transact(true, ifindex, vip, label);
  return describe(err == -NLE_EXIST ? 0 : err);
}

std::string AddressManager::remove(int ifindex, const IpPrefix& vip) {
  const int err = transact(false, ifindex, vip, {});
  // EADDRNOTAVAIL maps to NLE_NOADDR; NLE_OBJ_NOTFOUND is accepted too in case a libnl version
  // translates the kernel's answer differently.
  return describe(err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND ? 0 : err);
}

int AddressManager::transact(bool add, int ifindex, const IpPrefix& vip, const std::string& label) {
  if (!sock_) {
    if (const int err = open_request_socket(sock_); err < 0) return err;
  }
  const RtnlAddr addr(rtnl_addr_alloc());
  if (!addr) return -NLE_NOMEM;
  int err = identify(addr.get(), ifindex, vip);
  if (err == 0 && add) err = decorate_for_add(addr.get(), vip, label);
  if (err == 0) {
    err = add ? rtnl_addr_add(sock_.get(), addr.get(), NLM_F_EXCL)
              : rtnl_addr_delete(sock_.get(), addr.get(), 0);
  }
  if (err == -NLE_AGAIN || err == -NLE_SEQ_MISMATCH) {
    // Never reuse this socket: libnl would take the late ACK as the answer to the next request.
    // If no new one can be opened now, the next request tries again.
    sock_.reset();
    open_request_socket(sock_);
  }
  return err;
}

}  // namespace floatd::net

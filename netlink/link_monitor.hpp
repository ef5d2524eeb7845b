// Link and address notifications from the kernel (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
// RTNLGRP_IPV6_IFADDR), read by a libev io watcher and handed to a callback.
#pragma once
#include <functional>

#include <ev.h>

#include "agent/ip_address.hpp"
#include "netlink/handles.hpp"

namespace floatd::net {

struct LinkEvent {
  int ifindex = 0;
  bool up = false;  // IFF_UP and carrier
};

struct AddressEvent {
  int ifindex = 0;
  IpPrefix prefix;
  bool added = false;  // false: removed
};

class LinkMonitor {
 public:
  struct Callbacks {
    std::function<void(const LinkEvent&)> on_link;
    std::function<void(const AddressEvent&)> on_address;
    // The kernel dropped notifications (ENOBUFS): state must be re-read with query_link().
    std::function<void()> on_overrun;
  };
  // Callbacks run inside the io watcher and must not throw (they are called from libnl's C code).
  LinkMonitor(struct ev_loop* loop, Callbacks callbacks);  // throws std::runtime_error
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

  // "" while notifications flow; else why not (an error other than an overrun, which a
  // resync repairs, on the last read). For the systemd watchdog.
  std::string health() const;

 private:
  static void on_readable(struct ev_loop* loop, ev_io* watcher, int revents);
  struct ev_loop* loop_;
  Callbacks callbacks_;
  NlSock sock_;
  ev_io io_{};
  // Notifications were lost; on_overrun fires once the socket is drained (see the .cpp).
  bool resync_pending_ = false;
  int read_error_ = 0;  // libnl error of the last read, 0 after a good one
};

}  // namespace floatd::net

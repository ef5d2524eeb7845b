#include "netlink/link_monitor.hpp"

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "netlink/nl_convert.hpp"

namespace floatd::net {
namespace {

// A burst (an interface flapping, hundreds of addresses at once) must fit, or the kernel drops
// notifications and we have to resync.
constexpr int kReceiveBuffer = 1 << 20;
// Datagrams read per wakeup; the watcher is level-triggered, so leftovers wait for the next one
// and other watchers are not starved.
constexpr int kMaxReadsPerWakeup = 64;

// Root (CAP_NET_ADMIN) may exceed net.core.rmem_max, whose default would cap us at ~200 KiB.
void enlarge_receive_buffer(int fd) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  }
}

// What one netlink message is being parsed for: nl_msg_parse() hands over the object only.
struct ParseContext {
  const LinkMonitor::Callbacks& callbacks;
  int message_type;
};

void report_link(const ParseContext& ctx, rtnl_link* link) {
  // Bridge port messages (AF_BRIDGE) share the group; their RTM_DELLINK means "left the bridge",
  // not "gone".
  if (rtnl_link_get_family(link) != AF_UNSPEC || !ctx.callbacks.on_link) return;
  const bool up = ctx.message_type == RTM_NEWLINK && is_operational(link);
  ctx.callbacks.on_link(LinkEvent{rtnl_link_get_ifindex(link), up});
}

void report_address(const ParseContext& ctx, rtnl_addr* addr) {
  const auto prefix = local_prefix(addr);
  if (!prefix || !ctx.callbacks.on_address) return;
  ctx.callbacks.on_address(
      AddressEvent{rtnl_addr_get_ifindex(addr), *prefix, ctx.message_type == RTM_NEWADDR});
}

void dispatch_object(nl_object* object, void* arg) {
  const auto& ctx = *static_cast<const ParseContext*>(arg);
  const std::string_view type = nl_object_get_type(object);
  if (type == "route/link") {
    report_link(ctx, reinterpret_cast<rtnl_link*>(object));
  } else if (type == "route/addr") {
    report_address(ctx, reinterpret_cast<rtnl_addr*>(object));
  }
}

int on_valid_message(nl_msg* msg, void* arg) {
  ParseContext ctx{*static_cast<const LinkMonitor::Callbacks*>(arg), nlmsg_hdr(msg)->nlmsg_type};
  nl_msg_parse(msg, &dispatch_object, &ctx);
  return NL_OK;
}

[[noreturn]] void throw_nl(const char* what, int err) {
  throw std::runtime_error(std::string("link monitor: ") + what + ": " + nl_geterror(err));
}

}  // namespace

LinkMonitor::LinkMonitor(struct ev_loop* loop, Callbacks callbacks)
    : loop_(loop), callbacks_(std::move(callbacks)) {
  if (const int err = open_route_socket(sock_); err < 0) throw_nl("socket", err);
  nl_sock* sock = sock_.get();
  // Notifications carry no sequence numbers of ours.
  nl_socket_disable_seq_check(sock);
  nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, &on_valid_message, &callbacks_);
  // Peek at each datagram's size first, so a large RTM_NEWLINK (many VFs) is never truncated.
  nl_socket_enable_msg_peek(sock);
  if (const int err = nl_socket_add_memberships(sock, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
                                                RTNLGRP_IPV6_IFADDR, 0);
      err < 0) {
    throw_nl("memberships", err);
  }
  if (const int err = nl_socket_set_nonblocking(sock); err < 0) throw_nl("nonblocking", err);
  enlarge_receive_buffer(nl_socket_get_fd(sock));

  ev_io_init(&io_, &LinkMonitor::on_readable, nl_socket_get_fd(sock), EV_READ);
  io_.data = this;
  ev_io_start(loop_, &io_);
}

LinkMonitor::~LinkMonitor() { ev_io_stop(loop_, &io_); }

std::string LinkMonitor::health() const {
  if (read_error_ == 0) return "";
  return std::string("netlink link notifications failing: ") + nl_geterror(read_error_);
}

// After ENOBUFS the kernel keeps dropping (silently: it reports ENOBUFS once per episode) until
// the queue has been read empty. A resync must therefore wait for the drain: one taken earlier
// could miss a change dropped after it. Events still queued are delivered meanwhile; the resync
// supersedes them.
void LinkMonitor::on_readable(struct ev_loop* /*loop*/, ev_io* watcher, int /*revents*/) {
  auto& self = *static_cast<LinkMonitor*>(watcher->data);
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    const int err = nl_recvmsgs_default(self.sock_.get());
    self.read_error_ = err < 0 && err != -NLE_AGAIN && err != -NLE_NOMEM ? err : 0;
    if (err == -NLE_AGAIN) {
      if (std::exchange(self.resync_pending_, false) && self.callbacks_.on_overrun) {
        self.callbacks_.on_overrun();
      }
      return;
    }
    // -NLE_NOMEM is ENOBUFS; any other error lost a datagram's content just the same.
    if (err < 0) self.resync_pending_ = true;
  }
}

}  // namespace floatd::net

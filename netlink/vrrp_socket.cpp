#include "netlink/vrrp_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "netlink/vrrp_packet.hpp"

namespace floatd::net {
namespace {

// Datagrams read per wakeup, so a flood on one interface cannot starve the loop; the watcher is
// level-triggered and comes back for the rest.
constexpr int kMaxReadsPerWakeup = 64;
// Larger than any valid IPv4 VRRP datagram (60-byte IP header + 8 + 255 * 4 = 1088 bytes). A
// longer one arrives truncated and fails the decoder's length check, a counted drop.
constexpr std::size_t kReceiveBufferSize = 2048;

sockaddr_in to_sockaddr(const IpAddress& address) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  std::memcpy(&sin.sin_addr, address.bytes().data(), sizeof sin.sin_addr);
  return sin;
}

template <typename T>
void set_option(int fd, int level, int name, const T& value, std::string_view context,
                const char* call) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) throw_errno(context, call);
}

// Adverts leave and arrive on this interface only, with TTL 255 (RFC 5798 5.1.1.3: receivers
// drop anything else), and our own are not looped back to us.
void configure(int fd, int ifindex, const std::string& ifname, std::string_view context) {
  // Without it the socket would see protocol 112 from every interface.
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), ifname.size() + 1) < 0) {
    throw_errno(context, "setsockopt(SO_BINDTODEVICE)");
  }
  const int ttl = packet::kRequiredTtl;
  const int off = 0;
  set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, context, "setsockopt(IP_MULTICAST_TTL)");
  set_option(fd, IPPROTO_IP, IP_TTL, ttl, context, "setsockopt(IP_TTL)");  // unicast peers
  set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, off, context, "setsockopt(IP_MULTICAST_LOOP)");
  // Only the groups this socket joined, not those joined by anything else on the host.
  set_option(fd, IPPROTO_IP, IP_MULTICAST_ALL, off, context, "setsockopt(IP_MULTICAST_ALL)");

  ip_mreqn request{};
  request.imr_ifindex = ifindex;
  set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, request, context, "setsockopt(IP_MULTICAST_IF)");
  // Joining by ifindex works while the interface is down (the e2e tests check it): the kernel
  // keeps the membership on the device and sends the IGMP report when it comes up.
  std::memcpy(&request.imr_multiaddr, kVrrpGroupV4.bytes().data(), sizeof request.imr_multiaddr);
  set_option(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, request, context, "setsockopt(IP_ADD_MEMBERSHIP)");
}

}  // namespace

VrrpSocket4::VrrpSocket4(struct ev_loop* loop, int ifindex, const std::string& ifname,
                         const IpAddress& source, Receiver receiver)
    : loop_(loop),
      fd_(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, packet::kVrrpProtocol)),
      source_(source),
      receiver_(std::move(receiver)) {
  const std::string context = "VRRP socket on " + ifname;
  if (fd_.get() < 0) throw_errno(context, "socket");
  if (source.family() != Family::V4) {
    throw std::system_error(EAFNOSUPPORT, std::generic_category(), context + ": source address");
  }
  // No bind() to the source address: the kernel delivers a datagram to a raw socket bound to an
  // address only when it is sent *to* that address, so a bound socket never sees 224.0.0.18.
  // send() sets the source per datagram instead.
  configure(fd_.get(), ifindex, ifname, context);
  ev_io_init(&io_, &VrrpSocket4::on_readable, fd_.get(), EV_READ);
  io_.data = this;
  ev_io_start(loop_, &io_);
}

VrrpSocket4::~VrrpSocket4() { ev_io_stop(loop_, &io_); }

int VrrpSocket4::send(std::span<const std::uint8_t> message) {
  sockaddr_in group = to_sockaddr(kVrrpGroupV4);
  iovec payload{const_cast<std::uint8_t*>(message.data()), message.size()};
  // IP_PKTINFO fixes the source address, which the VRRPv3 checksum's pseudo-header covers. The
  // outgoing interface comes from SO_BINDTODEVICE and IP_MULTICAST_IF (ipi_ifindex 0).
  alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in_pktinfo))> control{};
  msghdr msg{};
  msg.msg_name = &group;
  msg.msg_namelen = sizeof group;
  msg.msg_iov = &payload;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* header = CMSG_FIRSTHDR(&msg);
  header->cmsg_level = IPPROTO_IP;
  header->cmsg_type = IP_PKTINFO;
  header->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo info{};
  std::memcpy(&info.ipi_spec_dst, source_.bytes().data(), sizeof info.ipi_spec_dst);
  std::memcpy(CMSG_DATA(header), &info, sizeof info);
  return sendmsg(fd_.get(), &msg, 0) < 0 ? errno : 0;
}

void VrrpSocket4::on_readable(struct ev_loop* /*loop*/, ev_io* watcher, int /*revents*/) {
  auto& self = *static_cast<VrrpSocket4*>(watcher->data);
  std::array<std::uint8_t, kReceiveBufferSize> buffer;
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    const ssize_t n = recv(self.fd_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: drained; anything else is retried by the next wakeup
    }
    self.receiver_(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
  }
}

}  // namespace floatd::net

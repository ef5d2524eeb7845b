// The raw IPv4 VRRP socket of one interface: protocol 112, joined to 224.0.0.18 on that
// interface only, TTL 255, every advert sent from the interface's primary address.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include <ev.h>

#include "agent/ip_address.hpp"
#include "netlink/handles.hpp"

namespace floatd::net {

inline const IpAddress kVrrpGroupV4 = *IpAddress::parse("224.0.0.18");

class VrrpSocket4 {
 public:
  // Called with each datagram as received (IP header + VRRP message), from the io watcher; it
  // must not destroy this socket.
  using Receiver = std::function<void(std::span<const std::uint8_t> datagram)>;

  // Throws std::system_error naming the failing call.
  VrrpSocket4(struct ev_loop* loop, int ifindex, const std::string& ifname,
              const IpAddress& source, Receiver receiver);
  ~VrrpSocket4();
  VrrpSocket4(const VrrpSocket4&) = delete;
  VrrpSocket4& operator=(const VrrpSocket4&) = delete;

  // Sends one VRRP message (no IP header) to 224.0.0.18. Returns 0 or an errno value.
  int send(std::span<const std::uint8_t> message);
  const IpAddress& source() const { return source_; }

 private:
  static void on_readable(struct ev_loop* loop, ev_io* watcher, int revents);
  struct ev_loop* loop_;
  UniqueFd fd_;
  IpAddress source_;
  Receiver receiver_;
  ev_io io_{};
};

}  // namespace floatd::net

// The real implementations of the runtime's ports (agent/ports.hpp) for one interface,
// over the kernel adapters of this folder.
#pragma once
#include <array>
#include <cstdint>

#include "agent/ports.hpp"
#include "netlink/address_manager.hpp"
#include "netlink/garp.hpp"
#include "netlink/vrrp_socket.hpp"

namespace floatd::net {

class Ipv4AdvertSocket final : public floatd::AdvertSocket {
 public:
  explicit Ipv4AdvertSocket(VrrpSocket4& socket) : socket_(socket) {}
  int send(const Advert& advert, packet::ChecksumVariant checksum) override;

 private:
  VrrpSocket4& socket_;
};

class InterfaceAddresses final : public floatd::AddressManager {
 public:
  InterfaceAddresses(net::AddressManager& netlink, int ifindex) : netlink_(netlink), ifindex_(ifindex) {}
  std::string add(const IpPrefix& vip) override { return netlink_.add(ifindex_, vip, ""); }
  std::string remove(const IpPrefix& vip) override { return netlink_.remove(ifindex_, vip); }

 private:
  net::AddressManager& netlink_;
  int ifindex_;
};

class GarpAnnouncer final : public floatd::Announcer {
 public:
  GarpAnnouncer(GarpSender& sender, int ifindex, std::array<std::uint8_t, 6> mac)
      : sender_(sender), ifindex_(ifindex), mac_(mac) {}
  int announce(const IpAddress& vip) override { return sender_.send(ifindex_, mac_, vip); }

 private:
  GarpSender& sender_;
  int ifindex_;
  std::array<std::uint8_t, 6> mac_;
};

}  // namespace floatd::net

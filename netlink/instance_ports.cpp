#include "netlink/instance_ports.hpp"

#include "netlink/vrrp_packet.hpp"

namespace floatd::net {

int Ipv4AdvertSocket::send(const Advert& advert) {
  // keepalived and FRR expect the IPv4 pseudo-header in the checksum (see vrrp_packet.hpp).
  const auto message = packet::encode(advert, socket_.source(), kVrrpGroupV4,
                                      packet::ChecksumVariant::PseudoHeader);
  return socket_.send(message);
}

}  // namespace floatd::net

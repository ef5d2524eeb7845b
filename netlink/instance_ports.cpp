#include "netlink/instance_ports.hpp"

#include "netlink/vrrp_packet.hpp"

namespace floatd::net {

int Ipv4AdvertSocket::send(const Advert& advert, packet::ChecksumVariant checksum) {
  const auto message = packet::encode(advert, socket_.source(), kVrrpGroupV4, checksum);
  return socket_.send(message);
}

}  // namespace floatd::net

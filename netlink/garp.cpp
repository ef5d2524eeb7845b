#include "netlink/garp.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <span>

namespace floatd::net {
namespace {

// An Ethernet/IPv4 ARP packet (RFC 826): 8-byte header, then sha, spa, tha, tpa.
constexpr std::size_t kArpSize = 28;
using ArpPacket = std::array<std::uint8_t, kArpSize>;

void put16(ArpPacket& packet, std::size_t offset, std::uint16_t value) {
  packet[offset] = static_cast<std::uint8_t>(value >> 8);
  packet[offset + 1] = static_cast<std::uint8_t>(value & 0xff);
}

// "who-has VIP tell VIP": spa == tpa makes every neighbour update its cache entry for the VIP
// (RFC 5227 section 3 calls this an ARP Announcement), and tha stays zero as in a request.
ArpPacket announcement(const std::array<std::uint8_t, 6>& mac, std::span<const std::uint8_t> vip) {
  ArpPacket packet{};
  put16(packet, 0, ARPHRD_ETHER);
  put16(packet, 2, ETH_P_IP);
  packet[4] = 6;  // hardware address length
  packet[5] = 4;  // protocol address length
  put16(packet, 6, ARPOP_REQUEST);
  std::copy(mac.begin(), mac.end(), packet.begin() + 8);
  std::copy(vip.begin(), vip.end(), packet.begin() + 14);
  std::copy(vip.begin(), vip.end(), packet.begin() + 24);
  return packet;
}

}  // namespace

// Protocol 0: a send-only packet socket. Bound to ETH_P_ARP it would also queue every ARP frame
// of every interface, which nobody reads; sendto() names the protocol per packet instead.
GarpSender::GarpSender() : fd_(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
  if (fd_.get() < 0) throw_errno("GARP", "socket(AF_PACKET)");
}

GarpSender::~GarpSender() = default;

int GarpSender::send(int ifindex, const std::array<std::uint8_t, 6>& mac, const IpAddress& vip) {
  if (vip.family() != Family::V4) return EAFNOSUPPORT;
  const ArpPacket packet = announcement(mac, vip.bytes());
  // SOCK_DGRAM: the kernel writes the Ethernet header from the interface's own MAC.
  sockaddr_ll broadcast{};
  broadcast.sll_family = AF_PACKET;
  broadcast.sll_protocol = htons(ETH_P_ARP);
  broadcast.sll_ifindex = ifindex;
  broadcast.sll_halen = ETH_ALEN;
  std::fill_n(broadcast.sll_addr, ETH_ALEN, 0xff);
  const ssize_t sent = sendto(fd_.get(), packet.data(), packet.size(), 0,
                              reinterpret_cast<const sockaddr*>(&broadcast), sizeof broadcast);
  return sent < 0 ? errno : 0;
}

}  // namespace floatd::net

// libFuzzer target for the VRRPv3 advert decoder.
//
// The input is tried twice: whole, as an IPv4 datagram for decode_ipv4; and with its first byte
// split off as the hop limit, the rest as an IPv6 VRRP payload from kSource6 to kDestination6
// (the addresses the seed corpus was built for). Whatever decodes must survive
// encode -> decode unchanged; a mismatch traps so libFuzzer keeps the input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "netlink/vrrp_packet.hpp"

namespace {

using floatd::Family;
using floatd::IpAddress;
namespace packet = floatd::packet;

constexpr std::array<std::uint8_t, 16> kSource6{0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                                0,    0,    0, 0, 0, 0, 0, 1};     // fe80::1
constexpr std::array<std::uint8_t, 16> kDestination6{0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                                     0,    0,    0, 0, 0, 0, 0, 0x12};  // ff02::12

bool same(const packet::Decoded& a, const packet::Decoded& b) {
  return a.advert == b.advert && a.source == b.source && a.checksum == b.checksum;
}

// A minimal 20-byte IPv4 header around `vrrp`; the decoder does not check the IP checksum.
std::vector<std::uint8_t> ipv4_datagram(std::span<const std::uint8_t> vrrp,
                                        const IpAddress& source, const IpAddress& destination) {
  const std::size_t total = 20 + vrrp.size();
  std::vector<std::uint8_t> d{0x45, 0, static_cast<std::uint8_t>(total >> 8),
                              static_cast<std::uint8_t>(total & 0xff), 0, 0, 0, 0,
                              packet::kRequiredTtl, packet::kVrrpProtocol, 0, 0};
  d.insert(d.end(), source.bytes().begin(), source.bytes().end());
  d.insert(d.end(), destination.bytes().begin(), destination.bytes().end());
  d.insert(d.end(), vrrp.begin(), vrrp.end());
  return d;
}

void check_ipv4(std::span<const std::uint8_t> data) {
  const auto first = packet::decode_ipv4(data);
  if (!first.decoded) return;
  // decode_ipv4 succeeded, so the header is at least 20 bytes and holds the destination.
  const auto destination = *IpAddress::from_bytes(Family::V4, data.subspan(16, 4));
  const auto& d = *first.decoded;
  const auto vrrp = packet::encode(d.advert, d.source, destination, d.checksum);
  const auto second = packet::decode_ipv4(ipv4_datagram(vrrp, d.source, destination));
  if (!second.decoded || !same(d, *second.decoded)) __builtin_trap();
}

void check_ipv6(std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  const auto source = *IpAddress::from_bytes(Family::V6, kSource6);
  const auto destination = *IpAddress::from_bytes(Family::V6, kDestination6);
  const int hop_limit = data[0];
  const auto first = packet::decode_ipv6(data.subspan(1), hop_limit, source, destination);
  if (!first.decoded) return;
  const auto vrrp = packet::encode(first.decoded->advert, source, destination);
  const auto second = packet::decode_ipv6(vrrp, hop_limit, source, destination);
  if (!second.decoded || !same(*first.decoded, *second.decoded)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  check_ipv4(input);
  check_ipv6(input);
  return 0;
}

#include "netlink/vrrp_packet.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace floatd::packet {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t kVrrpHeaderSize = 8;
constexpr std::size_t kIpv4MinHeaderSize = 20;
constexpr std::uint8_t kVrrpVersion = 3;
constexpr std::uint8_t kTypeAdvertisement = 1;
constexpr std::uint16_t kIntervalMask = 0x0fff;  // the top 4 bits of bytes 4-5 are reserved
constexpr std::size_t kChecksumOffset = 6;

// Offsets in the IPv4 header (RFC 791).
constexpr std::size_t kIpTotalLengthOffset = 2;
constexpr std::size_t kIpTtlOffset = 8;
constexpr std::size_t kIpProtocolOffset = 9;
constexpr std::size_t kIpSourceOffset = 12;
constexpr std::size_t kIpDestinationOffset = 16;

std::uint16_t read_u16(Bytes bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

void put_u16(std::uint8_t* out, std::uint16_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 8);
  out[1] = static_cast<std::uint8_t>(value & 0xff);
}

std::size_t address_size(Family family) { return family == Family::V4 ? 4 : 16; }

DecodeResult drop(DropReason reason) { return {std::nullopt, reason}; }

// RFC 5798 section 5.2.8 (IPv4): src, dst, zero, protocol, 16-bit VRRP length.
std::array<std::uint8_t, 12> ipv4_pseudo_header(const IpAddress& source,
                                                const IpAddress& destination,
                                                std::size_t vrrp_length) {
  std::array<std::uint8_t, 12> header{};
  std::ranges::copy(source.bytes().first(4), header.begin());
  std::ranges::copy(destination.bytes().first(4), header.begin() + 4);
  header[9] = kVrrpProtocol;
  put_u16(&header[10], static_cast<std::uint16_t>(vrrp_length));
  return header;
}

// RFC 8200 section 8.1: src, dst, 32-bit upper-layer length, 3 zero bytes, next header. A V4
// address (a caller bug) fills only its 4 bytes: the checksum then fails instead of crashing.
std::array<std::uint8_t, 40> ipv6_pseudo_header(const IpAddress& source,
                                                const IpAddress& destination,
                                                std::size_t vrrp_length) {
  std::array<std::uint8_t, 40> header{};
  std::ranges::copy(source.bytes(), header.begin());
  std::ranges::copy(destination.bytes(), header.begin() + 16);
  put_u16(&header[32], static_cast<std::uint16_t>(vrrp_length >> 16));
  put_u16(&header[34], static_cast<std::uint16_t>(vrrp_length & 0xffff));
  header[39] = kVrrpProtocol;
  return header;
}

// The Internet checksum of a VRRP message under `variant` (IPv6 has only the pseudo-header one).
// Over a message that already carries its checksum it is 0 exactly when that checksum is right,
// so encode and decode share this function.
std::uint16_t vrrp_checksum(ChecksumVariant variant, const IpAddress& source,
                            const IpAddress& destination, Bytes vrrp) {
  if (source.family() == Family::V6) {
    return internet_checksum({ipv6_pseudo_header(source, destination, vrrp.size()), vrrp});
  }
  if (variant == ChecksumVariant::NoPseudoHeader) return internet_checksum({vrrp});
  return internet_checksum({ipv4_pseudo_header(source, destination, vrrp.size()), vrrp});
}

// The checks shared by both families, in the order of the DropReason contract. The caller has
// already checked that the fixed header fits (TooShort comes before BadTtl) and the TTL / hop
// limit; `variants` are tried in order until one checksum matches.
DecodeResult decode_vrrp(Bytes vrrp, const IpAddress& source, const IpAddress& destination,
                         std::span<const ChecksumVariant> variants) {
  if (vrrp[0] >> 4 != kVrrpVersion) return drop(DropReason::BadVersion);
  if ((vrrp[0] & 0x0f) != kTypeAdvertisement) return drop(DropReason::BadType);

  // RFC 5798 section 5.2.5: an advertisement carries at least one address.
  const std::size_t count = vrrp[3];
  const std::size_t addr_size = address_size(source.family());
  if (count == 0 || kVrrpHeaderSize + count * addr_size != vrrp.size()) {
    return drop(DropReason::BadLength);
  }

  const auto matched = std::ranges::find_if(variants, [&](ChecksumVariant v) {
    return vrrp_checksum(v, source, destination, vrrp) == 0;
  });
  if (matched == variants.end()) return drop(DropReason::BadChecksum);

  const std::uint16_t interval = read_u16(vrrp, 4) & kIntervalMask;
  if (interval == 0) return drop(DropReason::ZeroInterval);

  Decoded out;
  out.advert.version = kVrrpVersion;
  out.advert.vrid = vrrp[1];
  out.advert.priority = vrrp[2];
  out.advert.max_advert_interval = Centiseconds(interval);
  out.advert.addresses.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto bytes = vrrp.subspan(kVrrpHeaderSize + i * addr_size, addr_size);
    out.advert.addresses.push_back(*IpAddress::from_bytes(source.family(), bytes));
  }
  out.source = source;
  out.checksum = *matched;
  return {std::move(out), {}};
}

}  // namespace

std::string_view to_string(DropReason reason) {
  switch (reason) {
    case DropReason::BadTtl: return "bad_ttl";
    case DropReason::BadVersion: return "bad_version";
    case DropReason::BadType: return "bad_type";
    case DropReason::TooShort: return "too_short";
    case DropReason::BadLength: return "bad_length";
    case DropReason::BadChecksum: return "bad_checksum";
    case DropReason::UnknownVrid: return "unknown_vrid";
    case DropReason::ZeroInterval: return "zero_interval";
    case DropReason::Count_: break;
  }
  return "unknown";
}

std::uint16_t internet_checksum(std::initializer_list<std::span<const std::uint8_t>> parts) {
  // Parts are summed as one concatenated stream, so a part of odd length shifts the next one
  // into the low byte: track the stream's parity rather than each part's.
  std::uint64_t sum = 0;
  bool high_byte = true;
  for (const auto part : parts) {
    for (const std::uint8_t b : part) {
      sum += high_byte ? std::uint64_t{b} << 8 : b;
      high_byte = !high_byte;
    }
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

DecodeResult decode_ipv4(std::span<const std::uint8_t> datagram) {
  // IP header problems other than truncation count as BadLength ("IP header inconsistent"):
  // a raw IPPROTO 112 socket should never deliver them, so they need no reason of their own.
  if (datagram.size() < kIpv4MinHeaderSize) return drop(DropReason::TooShort);
  if (datagram[0] >> 4 != 4) return drop(DropReason::BadLength);
  const std::size_t header_size = std::size_t{datagram[0] & 0x0fu} * 4;
  if (header_size < kIpv4MinHeaderSize) return drop(DropReason::BadLength);
  const std::size_t total_length = read_u16(datagram, kIpTotalLengthOffset);
  if (header_size > datagram.size() || total_length > datagram.size()) {
    return drop(DropReason::TooShort);
  }
  if (total_length < header_size) return drop(DropReason::BadLength);
  if (datagram[kIpProtocolOffset] != kVrrpProtocol) return drop(DropReason::BadLength);

  // Link-layer padding may follow the datagram: the IP total length is authoritative.
  const Bytes vrrp = datagram.subspan(header_size, total_length - header_size);
  if (vrrp.size() < kVrrpHeaderSize) return drop(DropReason::TooShort);
  // RFC 5798 section 7.1: TTL 255 proves the sender is on this link.
  if (datagram[kIpTtlOffset] != kRequiredTtl) return drop(DropReason::BadTtl);

  const auto source = *IpAddress::from_bytes(Family::V4, datagram.subspan(kIpSourceOffset, 4));
  const auto destination =
      *IpAddress::from_bytes(Family::V4, datagram.subspan(kIpDestinationOffset, 4));
  // The pseudo-header variant first: it is what keepalived and FRR send.
  static constexpr std::array kVariants{ChecksumVariant::PseudoHeader,
                                        ChecksumVariant::NoPseudoHeader};
  return decode_vrrp(vrrp, source, destination, kVariants);
}

DecodeResult decode_ipv6(std::span<const std::uint8_t> payload, int hop_limit,
                         const IpAddress& source, const IpAddress& destination) {
  if (payload.size() < kVrrpHeaderSize) return drop(DropReason::TooShort);
  if (hop_limit != kRequiredTtl) return drop(DropReason::BadTtl);
  // IPv6 has a single variant: RFC 5798 and RFC 9568 agree on the pseudo-header.
  static constexpr std::array kVariants{ChecksumVariant::PseudoHeader};
  return decode_vrrp(payload, source, destination, kVariants);
}

std::vector<std::uint8_t> encode(const Advert& advert, const IpAddress& source,
                                 const IpAddress& destination, ChecksumVariant variant) {
  std::vector<std::uint8_t> out(kVrrpHeaderSize);
  out[0] = static_cast<std::uint8_t>(kVrrpVersion << 4 | kTypeAdvertisement);
  out[1] = advert.vrid;
  out[2] = advert.priority;
  // The count field has 8 bits: a virtual router with more VIPs lists the first 255 (a
  // wrapped count would make every receiver drop the advert: a split brain). Receivers may
  // ignore the list anyway (RFC 9568 section 6.4.2), and 255 IPv4 addresses fit an MTU.
  const std::size_t count = std::min<std::size_t>(advert.addresses.size(), kMaxAdvertAddresses);
  out[3] = static_cast<std::uint8_t>(count);
  // Masking keeps the reserved bits zero even if a caller breaks the 1..4095 promise.
  put_u16(&out[4], static_cast<std::uint16_t>(advert.max_advert_interval.count()) & kIntervalMask);
  for (std::size_t i = 0; i < count; ++i) {
    const auto bytes = advert.addresses[i].bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  }

  // Computed with the checksum field still zero, as RFC 5798 section 5.2.8 requires.
  put_u16(&out[kChecksumOffset], vrrp_checksum(variant, source, destination, out));
  return out;
}

}  // namespace floatd::packet

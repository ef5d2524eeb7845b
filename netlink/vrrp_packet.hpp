// VRRPv3 advertisement codec (RFC 5798 section 5, as updated by RFC 9568).
// Pure: bytes in, bytes out. Every malformed input is a counted DropReason, never a crash.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "agent/advert.hpp"
#include "agent/ip_address.hpp"

namespace floatd::packet {

inline constexpr std::uint8_t kVrrpProtocol = 112;
inline constexpr std::uint8_t kRequiredTtl = 255;

// IPv4 VRRPv3 checksums come in two variants: keepalived and FRR include the IPv4
// pseudo-header (as RFC 5798 section 5.2.8 reads), RFC 9568 clarifies it without.
enum class ChecksumVariant : std::uint8_t { PseudoHeader, NoPseudoHeader };

enum class DropReason : std::uint8_t {
  BadTtl,           // TTL / hop limit != 255
  BadVersion,       // version field is not 3
  BadType,          // type is not 1 (ADVERTISEMENT)
  TooShort,         // shorter than the fixed header (or the IPv4 header)
  BadLength,        // length / IP header / address count inconsistent
  BadChecksum,      // neither checksum variant matches
  UnknownVrid,      // no instance for this VRID on the interface (counted by the receiver)
  ZeroInterval,     // Max Advertise Interval of 0
  Count_
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::Count_);
std::string_view to_string(DropReason reason);  // "bad_ttl", "bad_version", ...

struct DropCounters {
  std::array<std::uint64_t, kDropReasonCount> by_reason{};
  void count(DropReason r) { ++by_reason[static_cast<std::size_t>(r)]; }
  std::uint64_t operator[](DropReason r) const { return by_reason[static_cast<std::size_t>(r)]; }
};

struct Decoded {
  Advert advert;
  IpAddress source;
  ChecksumVariant checksum = ChecksumVariant::PseudoHeader;  // which variant matched (IPv6: always pseudo)
};

struct DecodeResult {
  std::optional<Decoded> decoded;  // set on success
  DropReason reason{};             // meaningful only when !decoded
};

// A whole IPv4 datagram as a raw IPPROTO 112 socket delivers it (IP header + VRRP).
DecodeResult decode_ipv4(std::span<const std::uint8_t> datagram);
// The VRRP payload of an IPv6 packet (raw IPv6 sockets strip the header); hop limit, source and
// destination come from ancillary data.
DecodeResult decode_ipv6(std::span<const std::uint8_t> payload, int hop_limit,
                         const IpAddress& source, const IpAddress& destination);

// The most addresses one advert carries (its count field has 8 bits).
inline constexpr std::size_t kMaxAdvertAddresses = 255;

// The VRRP message only (no IP header): what a raw socket sends. `source` and `destination` feed
// the pseudo-header. All advert.addresses must have the family of source; only the first
// kMaxAdvertAddresses are sent.
std::vector<std::uint8_t> encode(const Advert& advert, const IpAddress& source,
                                 const IpAddress& destination,
                                 ChecksumVariant variant = ChecksumVariant::PseudoHeader);

// RFC 1071 Internet checksum over the concatenation of the parts.
std::uint16_t internet_checksum(std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace floatd::packet

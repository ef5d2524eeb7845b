// IPv4/IPv6 addresses and prefixes as plain values (no sockets involved).
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace floatd {

enum class Family : std::uint8_t { V4 = 4, V6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;  // 0.0.0.0
  // Text in dotted-quad or RFC 4291 form; nullopt when it is neither.
  static std::optional<IpAddress> parse(std::string_view text);
  // bytes.size() must be 4 (V4) or 16 (V6), in network order.
  static std::optional<IpAddress> from_bytes(Family family, std::span<const std::uint8_t> bytes);

  Family family() const { return family_; }
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), size()}; }
  std::size_t size() const { return family_ == Family::V4 ? 4 : 16; }
  std::string to_string() const;

  // Same family: numeric order (network byte order compares lexicographically), which is what
  // the RFC 5798 tie-break "higher primary address wins" needs. V4 sorts before V6.
  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

struct IpPrefix {
  IpAddress address;
  std::uint8_t length = 32;

  // "192.0.2.10/24" or "2001:db8::1/64"; a bare address means a host prefix (/32, /128).
  static std::optional<IpPrefix> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const IpPrefix&) const = default;
};

}  // namespace floatd

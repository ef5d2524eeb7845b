#include "agent/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace floatd {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string s(text);  // inet_pton needs a terminated string
  std::array<std::uint8_t, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1) {
    return from_bytes(Family::V4, std::span(buf.data(), 4));
  }
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) {
    return from_bytes(Family::V6, std::span(buf.data(), 16));
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_bytes(Family family, std::span<const std::uint8_t> bytes) {
  const std::size_t want = family == Family::V4 ? 4 : 16;
  if (bytes.size() != want) return std::nullopt;
  IpAddress a;
  a.family_ = family;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family_ == Family::V4 ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned max_length = address->family() == Family::V4 ? 32 : 128;
  unsigned length = max_length;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        length > max_length) {
      return std::nullopt;
    }
  }
  return IpPrefix{*address, static_cast<std::uint8_t>(length)};
}

std::string IpPrefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

}  // namespace floatd

#include "checks/tcp_target.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstdint>
#include <system_error>

namespace floatd::checks {

std::optional<TcpTarget> parse_tcp_target(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.begin(), port_text.end(), port);
  if (ec != std::errc{} || end != port_text.end() || port == 0 || port > 65535) {
    return std::nullopt;
  }

  TcpTarget target;
  target.text = std::string(text);
  const bool bracketed = host.starts_with('[') && host.ends_with(']');
  if (bracketed) host = host.substr(1, host.size() - 2);
  const std::string host_z(host);
  if (bracketed) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&target.address);
    if (inet_pton(AF_INET6, host_z.c_str(), &in6->sin6_addr) != 1) return std::nullopt;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    target.length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&target.address);
    if (inet_pton(AF_INET, host_z.c_str(), &in4->sin_addr) != 1) return std::nullopt;
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<std::uint16_t>(port));
    target.length = sizeof(sockaddr_in);
  }
  return target;
}

}  // namespace floatd::checks

// Where a `tcp = "..."` check connects to. Pure parsing (no event loop), so the configuration
// can validate it and report the line of a bad target.
#pragma once
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace floatd::checks {

struct TcpTarget {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // as configured, for reasons
};

// "192.0.2.1:80" or "[2001:db8::1]:80"; numeric only (a DNS lookup would block the loop).
std::optional<TcpTarget> parse_tcp_target(std::string_view text);

}  // namespace floatd::checks

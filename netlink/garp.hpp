// Gratuitous ARP: "who-has VIP tell VIP" broadcast from the interface's MAC, so switches and
// neighbours learn where the VIP lives now.
#pragma once
#include <array>
#include <cstdint>

#include "agent/ip_address.hpp"
#include "netlink/handles.hpp"

namespace floatd::net {

class GarpSender {
 public:
  GarpSender();  // AF_PACKET socket; throws std::system_error
  ~GarpSender();
  GarpSender(const GarpSender&) = delete;
  GarpSender& operator=(const GarpSender&) = delete;

  // Returns 0 or an errno value. vip must be IPv4.
  int send(int ifindex, const std::array<std::uint8_t, 6>& mac, const IpAddress& vip);

 private:
  UniqueFd fd_;
};

}  // namespace floatd::net

// A decoded VRRP advertisement: what the election needs from the wire, nothing more.
#pragma once
#include <cstdint>
#include <vector>

#include "agent/ip_address.hpp"
#include "agent/time.hpp"

namespace floatd {

struct Advert {
  std::uint8_t version = 3;
  std::uint8_t vrid = 0;
  std::uint8_t priority = 0;
  Centiseconds max_advert_interval{0};  // 12 bits on the wire: 1..4095 cs
  std::vector<IpAddress> addresses;     // all of one family

  bool operator==(const Advert&) const = default;
};

}  // namespace floatd

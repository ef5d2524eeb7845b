// What one virtual router has done since start: exported by `floatctl metrics`.
#pragma once
#include <cstdint>

namespace floatd {

struct InstanceCounters {
  std::uint64_t adverts_sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t transitions = 0;
  std::uint64_t became_master = 0;
  std::uint64_t vips_restored = 0;  // VIPs someone else deleted while we were MASTER

  bool operator==(const InstanceCounters&) const = default;
};

}  // namespace floatd

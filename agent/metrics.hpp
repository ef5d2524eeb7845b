// Prometheus text exposition (format 0.0.4) of floatd's state and counters: `floatctl metrics`.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "agent/election.hpp"
#include "agent/instance_counters.hpp"
#include "netlink/vrrp_packet.hpp"

namespace floatd {

struct InstanceMetrics {
  std::string name;
  std::uint8_t vrid = 0;
  State state = State::Init;
  std::uint8_t priority = 0;
  std::uint8_t effective_priority = 0;
  InstanceCounters counters;
};

struct InterfaceMetrics {
  std::string name;
  packet::DropCounters drops;
  std::size_t peers = 0;
};

std::string format_metrics(const std::vector<InstanceMetrics>& instances,
                           const std::vector<InterfaceMetrics>& interfaces);

}  // namespace floatd

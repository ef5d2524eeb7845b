// Prometheus text exposition (format 0.0.4) of floatd's state and counters: `floatctl metrics`.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "agent/election.hpp"
#include "agent/instance_counters.hpp"
#include "agent/time.hpp"
#include "checks/hysteresis.hpp"
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

// One health check's results since start (agent/tracking collects them).
struct CheckMetrics {
  std::string name;
  checks::Health health = checks::Health::Unknown;
  std::uint64_t passed = 0;
  std::uint64_t failed = 0;     // timeouts included
  std::uint64_t timed_out = 0;
  Duration total_duration{0};
  Duration last_duration{0};
};

std::string format_metrics(const std::vector<InstanceMetrics>& instances,
                           const std::vector<InterfaceMetrics>& interfaces,
                           const std::vector<CheckMetrics>& checks = {});

}  // namespace floatd

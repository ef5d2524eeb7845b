// floatd doctor: listens passively for VRRP adverts on the instances' interfaces, all at
// once, for a bounded time. It only receives (a raw IPPROTO 112 socket joined to
// 224.0.0.18 on each interface, like floatd's own, but it never sends), so it cannot disturb
// a running election. Needs CAP_NET_RAW; without it each interface gets an error instead.
#pragma once
#include <vector>

#include "agent/doctor_host_facts.hpp"
#include "agent/doctor_peers.hpp"
#include "agent/time.hpp"

namespace floatd::doctor {

// Interfaces with ifindex 0 (missing) are skipped.
ListenTable listen_for_adverts(const std::vector<InterfaceIndex>& interfaces, Duration duration);

}  // namespace floatd::doctor

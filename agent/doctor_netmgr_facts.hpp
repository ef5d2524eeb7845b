// floatd doctor: what systemd-networkd and NetworkManager do with the instances' interfaces.
// Both are looked at only when they run in this network namespace (a doctor run inside a
// test namespace must not judge the host's managers by interface names that merely match).
#pragma once
#include <vector>

#include "agent/doctor_host_facts.hpp"
#include "agent/doctor_netmgr.hpp"

namespace floatd::doctor {

NetworkdFacts gather_networkd(const std::vector<InterfaceIndex>& interfaces);
NetworkManagerFacts gather_network_manager();

}  // namespace floatd::doctor

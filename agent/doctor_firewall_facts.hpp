// floatd doctor: reads this network namespace's packet filter with `nft -j list ruleset` and,
// when iptables uses its legacy backend (whose rules nft does not show), `iptables-save`.
#pragma once
#include "agent/doctor_firewall.hpp"

namespace floatd::doctor {

fw::FirewallFacts gather_firewall();

}  // namespace floatd::doctor

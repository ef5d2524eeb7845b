// floatd doctor: IPv4 sysctls of the instances' interfaces that break failover.
//
// For both settings the kernel applies the larger of net.ipv4.conf.all.X and
// net.ipv4.conf.<interface>.X (Documentation/networking/ip-sysctl.rst).
//   rp_filter   1 (strict) drops a packet that arrives on an interface other than the one
//               the host would route its source out of: with several interfaces or
//               asymmetric routes, the peers' adverts or the clients' traffic to the VIPs
//               vanish. 0 (off) and 2 (loose) are fine.
//   arp_ignore  8 answers no ARP request at all: clients cannot resolve a VIP once the
//               entries from floatd's gratuitous ARPs expire. 2 answers only senders inside
//               the subnet of the asked-for address as configured: a VIP/32 then gets no
//               answers. 0, 1 and 3 answer for a VIP (it is on the receiving interface,
//               scope global); 4-7 are reserved and answer.
// arp_announce is deliberately not checked: it only picks the sender address of the ARP
// requests the kernel itself sends. floatd writes its gratuitous ARPs itself (AF_PACKET,
// sender = the VIP), and answering for a VIP is arp_ignore's business, so no value of
// arp_announce stops a VIP from moving or being reached.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "agent/doctor_finding.hpp"
#include "agent/doctor_interface.hpp"
#include "conf/config.hpp"

namespace floatd::doctor {

struct SysctlFacts {
  std::optional<int> rp_filter_all, rp_filter_if;    // nullopt: unreadable
  std::optional<int> arp_ignore_all, arp_ignore_if;
};

using SysctlTable = std::map<std::string, SysctlFacts>;  // by interface name

// `links` supplies the interface's own addresses (arp_ignore 2 depends on the subnets).
Findings evaluate_sysctls(const conf::Config& config, const SysctlTable& sysctls,
                          const LinkTable& links);

}  // namespace floatd::doctor

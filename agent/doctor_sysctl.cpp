#include "agent/doctor_sysctl.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"

namespace floatd::doctor {
namespace {

std::optional<int> effective(std::optional<int> all, std::optional<int> interface) {
  if (all && interface) return std::max(*all, *interface);
  return all ? all : interface;
}

std::string shown(std::optional<int> value) { return value ? std::to_string(*value) : "?"; }

// "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.eth0.rp_filter=2": only the keys
// whose value is `bad` need to change, since the larger of the two applies.
std::string sysctl_fix(const std::string& ifname, const char* key, std::optional<int> all,
                       std::optional<int> interface, int bad, int good) {
  std::string cmd = "sysctl -w";
  if (all == bad) cmd += fmt::format(" net.ipv4.conf.all.{}={}", key, good);
  if (interface == bad) cmd += fmt::format(" net.ipv4.conf.{}.{}={}", sysctl_ifname(ifname), key, good);
  return cmd;
}

std::optional<Finding> check_rp_filter(const std::string& ifname, const SysctlFacts& s) {
  if (effective(s.rp_filter_all, s.rp_filter_if) != 1) return std::nullopt;
  return Finding{
      Severity::Warning, "interface " + ifname,
      fmt::format("strict reverse-path filtering is on (rp_filter all={}, {}={}; the larger "
                  "applies): a packet arriving on {} from a source this host would route out of "
                  "another interface is dropped, so with several interfaces or asymmetric routes "
                  "the peers' adverts or the clients' traffic to the VIPs are lost",
                  shown(s.rp_filter_all), ifname, shown(s.rp_filter_if), ifname),
      fmt::format("use loose mode (2): {}, and keep it in a file under /etc/sysctl.d/",
                  sysctl_fix(ifname, "rp_filter", s.rp_filter_all, s.rp_filter_if, 1, 2))};
}

std::string arp_ignore_fix(const std::string& ifname, const SysctlFacts& s, int bad) {
  return fmt::format("{} (1: answer for the addresses of the receiving interface, VIPs "
                     "included), and keep it in a file under /etc/sysctl.d/",
                     sysctl_fix(ifname, "arp_ignore", s.arp_ignore_all, s.arp_ignore_if, bad, 1));
}

// arp_ignore 2: the kernel answers a request for a VIP only when the sender lies in the VIP's
// own configured subnet.
void check_subnet_bound(const std::string& ifname, const SysctlFacts& s,
                        const std::vector<const conf::InstanceConfig*>& users,
                        const std::optional<IpAddress>& own, Findings& out) {
  for (const auto* instance : users) {
    for (const IpPrefix& vip : instance->vips) {
      if (vip.length >= 32) {
        out.push_back({Severity::Error, "interface " + ifname,
                       fmt::format("arp_ignore is 2 (answer only senders inside the asked-for "
                                   "address's subnet) and VIP {} of instance '{}' is a /32: no "
                                   "sender is inside it, so nobody gets an ARP answer for the VIP "
                                   "once the entries from the gratuitous ARPs expire",
                                   vip.to_string(), instance->name),
                       arp_ignore_fix(ifname, s, 2)});
      } else if (own && !prefix_contains(vip, *own)) {
        out.push_back({Severity::Warning, "interface " + ifname,
                       fmt::format("arp_ignore is 2 (answer only senders inside the asked-for "
                                   "address's subnet): only hosts inside {} get ARP answers for "
                                   "VIP {} of instance '{}', not those of {}'s own subnet",
                                   vip.to_string(), vip.address.to_string(), instance->name,
                                   ifname),
                       arp_ignore_fix(ifname, s, 2)});
      }
    }
  }
}

void check_arp_ignore(const std::string& ifname, const SysctlFacts& s,
                      const std::vector<const conf::InstanceConfig*>& users,
                      const std::optional<IpAddress>& own, Findings& out) {
  const auto value = effective(s.arp_ignore_all, s.arp_ignore_if);
  if (value == 8) {
    out.push_back({Severity::Error, "interface " + ifname,
                   fmt::format("arp_ignore is 8 (all={}, {}={}): the kernel answers no ARP "
                               "request, so clients cannot resolve the VIPs of {} once the "
                               "entries from the gratuitous ARPs expire",
                               shown(s.arp_ignore_all), ifname, shown(s.arp_ignore_if),
                               describe_instances(users)),
                   arp_ignore_fix(ifname, s, 8)});
  } else if (value == 2) {
    check_subnet_bound(ifname, s, users, own, out);
  }
}

}  // namespace

Findings evaluate_sysctls(const conf::Config& config, const SysctlTable& sysctls,
                          const LinkTable& links) {
  Findings out;
  for (const std::string& ifname : interfaces_of(config)) {
    const auto s = sysctls.find(ifname);
    if (s == sysctls.end()) continue;  // a missing interface is reported by its own check
    const auto users = instances_on(config, ifname);
    if (auto f = check_rp_filter(ifname, s->second)) out.push_back(std::move(*f));
    const auto link = links.find(ifname);
    const auto own = link == links.end() || !link->second
                         ? std::nullopt
                         : own_ipv4(link->second->addresses, users);
    check_arp_ignore(ifname, s->second, users, own, out);
  }
  return out;
}

}  // namespace floatd::doctor

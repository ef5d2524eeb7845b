// Small read-only views of the configuration shared by the doctor's evaluations.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "conf/config.hpp"

namespace floatd::doctor {

// The distinct interfaces of the instances, in the order they first appear.
std::vector<std::string> interfaces_of(const conf::Config& config);

// The instances on `ifname`, in configuration order.
std::vector<const conf::InstanceConfig*> instances_on(const conf::Config& config,
                                                      const std::string& ifname);

// "instance 'web'" or "instances 'web', 'db'": who is affected, for finding texts.
std::string describe_instances(const std::vector<const conf::InstanceConfig*>& instances);

// "192.0.2.100/24, 192.0.2.101/32"
std::string join_prefixes(const std::vector<IpPrefix>& prefixes);

// The advert source floatd would pick: the first IPv4 address of `addresses` that none of
// `users` (the instances on that link) has as a VIP (net::primary_ipv4's rule over all of them).
std::optional<IpAddress> own_ipv4(const std::vector<IpPrefix>& addresses,
                                  const std::vector<const conf::InstanceConfig*>& users);

// `address` lies in the network of `prefix` (same family, the first `length` bits equal).
bool prefix_contains(const IpPrefix& prefix, const IpAddress& address);

// The /proc/sys and sysctl(8) spelling of an interface in a key: a dot in the name (a VLAN,
// "eth0.100") becomes a slash ("net.ipv4.conf.eth0/100.rp_filter").
std::string sysctl_ifname(const std::string& ifname);

}  // namespace floatd::doctor

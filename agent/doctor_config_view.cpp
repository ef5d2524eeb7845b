#include "agent/doctor_config_view.hpp"

#include <algorithm>

namespace floatd::doctor {

std::vector<std::string> interfaces_of(const conf::Config& config) {
  std::vector<std::string> out;
  for (const auto& instance : config.instances) {
    if (std::find(out.begin(), out.end(), instance.interface) == out.end()) {
      out.push_back(instance.interface);
    }
  }
  return out;
}

std::vector<const conf::InstanceConfig*> instances_on(const conf::Config& config,
                                                      const std::string& ifname) {
  std::vector<const conf::InstanceConfig*> out;
  for (const auto& instance : config.instances) {
    if (instance.interface == ifname) out.push_back(&instance);
  }
  return out;
}

std::string describe_instances(const std::vector<const conf::InstanceConfig*>& instances) {
  std::string out = instances.size() == 1 ? "instance " : "instances ";
  for (std::size_t i = 0; i < instances.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + instances[i]->name + "'";
  }
  return out;
}

std::string join_prefixes(const std::vector<IpPrefix>& prefixes) {
  std::string out;
  for (const auto& p : prefixes) {
    if (!out.empty()) out += ", ";
    out += p.to_string();
  }
  return out;
}

std::optional<IpAddress> own_ipv4(const std::vector<IpPrefix>& addresses,
                                  const std::vector<const conf::InstanceConfig*>& users) {
  const auto is_vip = [&users](const IpAddress& address) {
    return std::any_of(users.begin(), users.end(), [&address](const conf::InstanceConfig* i) {
      return std::any_of(i->vips.begin(), i->vips.end(),
                         [&address](const IpPrefix& vip) { return vip.address == address; });
    });
  };
  for (const IpPrefix& p : addresses) {
    if (p.address.family() == Family::V4 && !is_vip(p.address)) return p.address;
  }
  return std::nullopt;
}

bool prefix_contains(const IpPrefix& prefix, const IpAddress& address) {
  if (prefix.address.family() != address.family()) return false;
  const auto net = prefix.address.bytes();
  const auto host = address.bytes();
  const int length = std::min<int>(prefix.length, static_cast<int>(net.size()) * 8);
  for (int bit = 0; bit < length; ++bit) {
    const int shift = 7 - bit % 8;
    if (((net[bit / 8] >> shift) & 1) != ((host[bit / 8] >> shift) & 1)) return false;
  }
  return true;
}

std::string sysctl_ifname(const std::string& ifname) {
  std::string out = ifname;
  std::replace(out.begin(), out.end(), '.', '/');
  return out;
}

}  // namespace floatd::doctor

// floatd doctor: reading this host's state for the pure evaluations (interfaces through
// netlink, sysctls from /proc/sys, check programs with stat(2)). Read-only: nothing is changed.
#pragma once
#include <string>
#include <vector>

#include "agent/doctor_interface.hpp"
#include "agent/doctor_scripts.hpp"
#include "agent/doctor_sysctl.hpp"
#include "conf/config.hpp"

namespace floatd::doctor {

// One entry per instance interface. ifindex: 0 when the interface does not exist.
struct InterfaceIndex {
  std::string name;
  int ifindex = 0;
};

// Throws std::runtime_error when netlink itself fails (not for a missing interface).
LinkTable gather_links(const conf::Config& config, std::vector<InterfaceIndex>& indexes);

SysctlTable gather_sysctls(const conf::Config& config, const LinkTable& links);

ScriptUserFacts gather_script_user(const conf::Config& config);
std::vector<ScriptFacts> gather_scripts(const conf::Config& config,
                                        const ScriptUserFacts& user);

}  // namespace floatd::doctor

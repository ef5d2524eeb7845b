#include "agent/doctor_host_facts.hpp"

#include <net/if.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"
#include "agent/text_file.hpp"
#include "netlink/link_info.hpp"

namespace floatd::doctor {
namespace {

std::optional<int> read_int(const std::string& path) {
  const auto text = read_text_file(path);
  if (!text) return std::nullopt;
  try {
    return std::stoi(*text, nullptr, 0);  // base 0: /sys/class/net/X/flags is "0x1003"
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int> ipv4_conf(const std::string& scope, const char* key) {
  return read_int(fmt::format("/proc/sys/net/ipv4/conf/{}/{}", scope, key));
}

std::optional<checks::PathFacts> stat_path(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return checks::PathFacts{path, st.st_uid, st.st_gid, st.st_mode};
}

// "/usr/bin/x" -> "/", "/usr", "/usr/bin", added once each.
void add_directories(const std::string& path, std::vector<std::string>& out) {
  for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(std::move(dir));
  }
}

ProgramFacts program_facts(const std::string& path, const std::optional<checks::ScriptUser>& user) {
  ProgramFacts p;
  p.path = path;
  // Without a script user (there is none: reported on its own) judge as floatd would for root.
  const checks::ScriptUser runs_as = user ? *user : checks::ScriptUser{"root", 0, 0, {0}};
  const auto resolved = checks::resolve_script(path, runs_as);
  p.refusal = resolved.refusal;
  if (!resolved.refusal.empty()) return p;
  p.file = stat_path(resolved.path);
  std::vector<std::string> dirs;
  add_directories(resolved.path, dirs);
  char real[PATH_MAX];
  if (realpath(resolved.path.c_str(), real)) add_directories(real, dirs);
  for (const auto& d : dirs) {
    if (auto facts = stat_path(d)) p.directories.push_back(std::move(*facts));
  }
  return p;
}

}  // namespace

LinkTable gather_links(const conf::Config& config, std::vector<InterfaceIndex>& indexes) {
  LinkTable links;
  for (const std::string& ifname : interfaces_of(config)) {
    const auto info = net::query_link(ifname);
    indexes.push_back({ifname, info ? info->ifindex : 0});
    if (!info) {
      links[ifname] = std::nullopt;
      continue;
    }
    LinkFacts facts;
    facts.carrier = info->up;
    // IFF_UP tells "set down" from "no carrier" (the fix differs); /sys/class/net is the
    // current network namespace's (ip netns exec remounts /sys).
    const auto flags = read_int(fmt::format("/sys/class/net/{}/flags", ifname));
    facts.admin_up = flags ? (*flags & IFF_UP) != 0 : info->up;
    facts.addresses = info->addresses;
    links[ifname] = facts;
  }
  return links;
}

SysctlTable gather_sysctls(const conf::Config& config, const LinkTable& links) {
  SysctlTable table;
  for (const std::string& ifname : interfaces_of(config)) {
    const auto link = links.find(ifname);
    if (link == links.end() || !link->second) continue;
    table[ifname] = SysctlFacts{ipv4_conf("all", "rp_filter"), ipv4_conf(ifname, "rp_filter"),
                                ipv4_conf("all", "arp_ignore"), ipv4_conf(ifname, "arp_ignore")};
  }
  return table;
}

ScriptUserFacts gather_script_user(const conf::Config& config) {
  const std::string& name = config.global.script_user;
  if (!name.empty()) {
    auto user = checks::lookup_script_user(name);
    if (!user) return {std::nullopt, fmt::format("script_user '{}' does not exist", name)};
    if (user->uid == 0) return {std::nullopt, fmt::format("script_user '{}' is root", name)};
    return {std::move(user), ""};
  }
  if (auto user = checks::default_script_user()) return {std::move(user), ""};
  return {std::nullopt, "neither the user floatd-script nor nobody exists"};
}

std::vector<ScriptFacts> gather_scripts(const conf::Config& config, const ScriptUserFacts& user) {
  std::vector<ScriptFacts> out;
  for (const auto& check : config.checks) {
    if (check.command.empty()) continue;  // not a command check
    ScriptFacts s;
    s.check = check.name;
    s.program = program_facts(check.command[0], user.user);
    if (check.command.size() > 1 && is_interpreter(check.command[0]) &&
        check.command[1].starts_with('/')) {
      s.script = program_facts(check.command[1], user.user);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace floatd::doctor

#include "agent/doctor_netmgr.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"

namespace floatd::doctor {
namespace {

constexpr const char* kExamples = "/usr/share/doc/floatd/examples/network/";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

template <typename F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    f(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
}

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Finding networkd_finding(const std::string& ifname, const NetworkdLink& link,
                         const std::string& who) {
  const std::string setting =
      link.keep_configuration
          ? fmt::format("with KeepConfiguration={} (from {}), which keeps no static addresses",
                        *link.keep_configuration, link.keep_source)
          : std::string("without KeepConfiguration=static");
  const std::string dropin = fmt::format("/etc/systemd/network/{}.d/floatd.conf",
                                         basename_of(link.network_file));
  return {Severity::Warning, "systemd-networkd",
          fmt::format("manages {} ({}) {}: whenever it configures the link again (its restart, "
                      "say by an upgrade of systemd; networkctl reconfigure; the link coming "
                      "back) it removes the addresses no .network file asked for, the VIPs of {} "
                      "among them, while the instance stays MASTER",
                      ifname, link.network_file, setting, who),
          fmt::format("add the drop-in {} with \"[Network]\" and \"KeepConfiguration=static\" "
                      "(example in {}), then networkctl reload",
                      dropin, kExamples)};
}

Finding nm_finding(const std::string& ifname, const std::string& state, const std::string& who) {
  return {Severity::Warning, "NetworkManager",
          fmt::format("manages {} (state '{}'): activating or reapplying a connection on it "
                      "(nmcli connection up, nmcli device reapply, an autoconnect after the link "
                      "comes back) sets its addresses to exactly the profile's and removes the "
                      "VIPs of {}, while the instance stays MASTER",
                      ifname, state, who),
          fmt::format("configure {} with another tool (on Debian, an interface in "
                      "/etc/network/interfaces is left alone by NetworkManager) and tell "
                      "NetworkManager to keep off it with a file in /etc/NetworkManager/conf.d/: "
                      "\"[device-floatd]\", \"match-device=interface-name:{}\", \"managed=0\" "
                      "(example in {}), then systemctl reload NetworkManager",
                      ifname, ifname, kExamples)};
}

}  // namespace

std::map<std::string, std::string> parse_key_values(std::string_view text) {
  std::map<std::string, std::string> out;
  for_each_line(text, [&out](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') return;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return;
    out[std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  });
  return out;
}

std::pair<std::optional<std::string>, std::string> keep_configuration(
    const std::vector<std::pair<std::string, std::string>>& files) {
  std::optional<std::string> value;
  std::string source;
  for (const auto& [path, content] : files) {
    std::string section;
    for_each_line(content, [&](std::string_view line) {
      line = trim(line);
      if (line.empty() || line.front() == '#' || line.front() == ';') return;
      if (line.front() == '[') {
        section = std::string(line);
        return;
      }
      if (section != "[Network]") return;
      const auto eq = line.find('=');
      if (eq == std::string_view::npos || trim(line.substr(0, eq)) != "KeepConfiguration") return;
      const std::string v(trim(line.substr(eq + 1)));
      value = v.empty() ? std::nullopt : std::optional<std::string>(v);
      source = path;
    });
  }
  return {value, value ? source : ""};
}

bool keeps_static_addresses(const std::string& value) {
  const std::string v = lowercase(value);
  return v == "static" || v == "yes" || v == "true" || v == "on" || v == "1" || v == "y" ||
         v == "t";
}

std::map<std::string, std::string> parse_nmcli_devices(std::string_view text) {
  std::map<std::string, std::string> out;
  for_each_line(text, [&out](std::string_view line) {
    std::string device;
    std::size_t i = 0;
    for (; i < line.size() && line[i] != ':'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) ++i;  // "\:" and "\\" in terse output
      device += line[i];
    }
    if (i >= line.size() || device.empty()) return;
    out[device] = std::string(trim(line.substr(i + 1)));
  });
  return out;
}

Findings evaluate_networkd(const conf::Config& config, const NetworkdFacts& facts) {
  Findings out;
  if (!facts.running) return out;
  for (const std::string& ifname : interfaces_of(config)) {
    const auto link = facts.links.find(ifname);
    if (link == facts.links.end()) continue;  // networkd has no state for it: not managed
    const NetworkdLink& l = link->second;
    if (l.network_file.empty() || l.admin_state == "unmanaged") continue;
    if (l.keep_configuration && keeps_static_addresses(*l.keep_configuration)) continue;
    out.push_back(networkd_finding(ifname, l, describe_instances(instances_on(config, ifname))));
  }
  return out;
}

Findings evaluate_network_manager(const conf::Config& config, const NetworkManagerFacts& facts) {
  Findings out;
  if (!facts.running) return out;
  if (!facts.error.empty()) {
    out.push_back({Severity::Note, "NetworkManager",
                   "runs here, but whether it manages the instances' interfaces is unknown: " +
                       facts.error,
                   "nmcli device status: an interface it manages loses its VIPs when a "
                   "connection is activated on it"});
    return out;
  }
  for (const std::string& ifname : interfaces_of(config)) {
    const auto dev = facts.device_states.find(ifname);
    if (dev == facts.device_states.end() || dev->second.starts_with("unmanaged")) continue;
    const std::string who = describe_instances(instances_on(config, ifname));
    if (dev->second.find("externally") != std::string::npos) {
      // It only watches a configuration made by someone else, until a connection is
      // activated on the device.
      out.push_back({Severity::Note, "NetworkManager",
                     fmt::format("watches {} ('{}') without a connection of its own; activating "
                                 "one on it would remove the VIPs of {}",
                                 ifname, dev->second, who),
                     ""});
      continue;
    }
    out.push_back(nm_finding(ifname, dev->second, who));
  }
  return out;
}

}  // namespace floatd::doctor

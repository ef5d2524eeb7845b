// floatd doctor: network managers that take the VIPs away.
//
// systemd-networkd (252, Debian 12): whenever it configures a link (its own start or
// restart, e.g. by an upgrade of systemd; `networkctl reconfigure` or `reload` with a changed
// file; the link appearing again) it removes the addresses on the link that no .network file
// asked for ("foreign" ones), unless KeepConfiguration= says to keep them: "static" (or "yes")
// keeps foreign addresses without a lifetime, which VIPs are; "dhcp" only keeps those with a
// lifetime. ManageForeignRoutes= and ManageForeignRoutingPolicyRules= (networkd.conf) concern
// routes and rules only: the routes that come with a VIP are the kernel's (proto kernel),
// which networkd never removes, so they need no change for floatd.
//
// NetworkManager (1.36 and later, so 1.42 in Debian 12): while a device is connected it
// leaves addresses added by others alone, but activating or reapplying a connection on the
// device (nmcli connection up, nmcli device reapply, an autoconnect when the link comes
// back) sets the addresses to exactly the profile's, which removes the VIPs. Only a device
// NetworkManager does not manage is safe.
//
// floatd does not notice a VIP removed by someone else: the instance stays MASTER, the
// peers stay BACKUP, and the address is gone until the next election.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/doctor_finding.hpp"
#include "conf/config.hpp"

namespace floatd::doctor {

struct NetworkdLink {
  std::string admin_state;   // ADMIN_STATE of /run/systemd/netif/links/<ifindex>
  std::string network_file;  // NETWORK_FILE: the .network file applied ("" when none)
  std::optional<std::string> keep_configuration;  // the effective KeepConfiguration=
  std::string keep_source;                        // the file that set it
};

struct NetworkdFacts {
  bool running = false;  // systemd-networkd runs in this network namespace
  std::map<std::string, NetworkdLink> links;  // by interface name; absent: no state file
};

struct NetworkManagerFacts {
  bool running = false;  // NetworkManager runs in this network namespace
  std::string error;     // why the device states are unknown (nmcli missing or failing)
  std::map<std::string, std::string> device_states;  // "eth0" -> "connected"
};

// KEY=VALUE lines (networkd's state files); other lines are skipped.
std::map<std::string, std::string> parse_key_values(std::string_view text);

// The effective [Network] KeepConfiguration= of a .network file and its drop-ins, given as
// (path, content) in the order systemd reads them: the last assignment wins, an empty one
// resets it to the default (unset).
std::pair<std::optional<std::string>, std::string> keep_configuration(
    const std::vector<std::pair<std::string, std::string>>& files);

// "static" and the boolean trues ("yes", "true", "on", "1") keep addresses without a lifetime.
bool keeps_static_addresses(const std::string& value);

// `nmcli -t -f DEVICE,STATE device status`: "eth0:connected" lines (':' in a name is "\:").
std::map<std::string, std::string> parse_nmcli_devices(std::string_view text);

Findings evaluate_networkd(const conf::Config& config, const NetworkdFacts& facts);
Findings evaluate_network_manager(const conf::Config& config, const NetworkManagerFacts& facts);

}  // namespace floatd::doctor

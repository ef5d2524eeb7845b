// The typed configuration floatd runs. Produced only by conf/config_loader; defaults live here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/ip_address.hpp"
#include "agent/time.hpp"

namespace floatd::conf {

struct GlobalConfig {
  std::string router_id;  // free text for logs; defaults to the host name when empty
  std::string control_socket = "/run/floatd/floatd.sock";
  // What must survive a restart of floatd: the maintenance flag.
  std::string state_dir = "/var/lib/floatd";
  // Who check scripts run as when floatd is root; empty: "floatd-script" if that user
  // exists, else "nobody". Never root.
  std::string script_user;
  // Prometheus text metrics for prometheus-node-exporter's textfile collector (a *.prom
  // file), rewritten atomically every 10 s and after each state change; empty: none.
  std::string metrics_textfile;
  // How long one notify hook may run before its process group is killed.
  Duration notify_timeout = std::chrono::seconds(10);

  bool operator==(const GlobalConfig&) const = default;
};

// Exactly one of command, tcp and http is set.
struct CheckConfig {
  std::string name;
  std::vector<std::string> command;  // argv, executed without a shell
  std::string tcp;                   // "127.0.0.1:80", "[::1]:80": passes when a connect succeeds
  std::string http;                  // "http://127.0.0.1/health": passes on expect_status
  int expect_status = 200;
  Duration interval = std::chrono::seconds(1);
  Duration timeout = std::chrono::milliseconds(500);  // when not given: min(500ms, interval)
  int rise = 2;
  int fall = 2;

  bool operator==(const CheckConfig&) const = default;
};

// Exactly one subject: a [[check]], an interface (failing while down) or a file holding an
// integer (multiplied by the weight; absent: 0).
struct TrackConfig {
  std::string check;
  std::string interface;
  std::string file;
  int weight = 0;  // 0: FAULT while failing (a file: while non-zero); else added to the priority

  bool operator==(const TrackConfig&) const = default;
};

// Programs run on state changes (argv, no shell), one at a time in event order: `notify` on
// every change, the on_* ones on entering that state (on_stop: when floatd stops the instance).
struct HookConfig {
  std::vector<std::string> notify;
  std::vector<std::string> on_master;
  std::vector<std::string> on_backup;
  std::vector<std::string> on_fault;
  std::vector<std::string> on_stop;

  bool empty() const {
    return notify.empty() && on_master.empty() && on_backup.empty() && on_fault.empty() &&
           on_stop.empty();
  }
  bool operator==(const HookConfig&) const = default;
};

// What a MASTER does when someone else deletes one of its VIPs (ip addr del, a network
// manager): put it back, or give the VIPs up (FAULT for a master down interval).
enum class OnVipRemoved { Restore, Fault };
constexpr std::string_view to_string(OnVipRemoved policy) {
  return policy == OnVipRemoved::Restore ? "restore" : "fault";
}

// The IPv4 VRRPv3 checksum our adverts carry: auto (the variant of the speakers we hear;
// the pseudo-header until one is heard), with the IPv4 pseudo-header (RFC 5798, keepalived,
// FRR: keepalived 2.2.7 drops the other) or without it (RFC 9568).
enum class ChecksumMode { Auto, PseudoHeader, Rfc9568 };
constexpr std::string_view to_string(ChecksumMode mode) {
  switch (mode) {
    case ChecksumMode::Auto: return "auto";
    case ChecksumMode::PseudoHeader: return "pseudo-header";
    case ChecksumMode::Rfc9568: return "rfc9568";
  }
  return "?";
}

struct InstanceConfig {
  std::string name;
  std::string interface;
  std::uint8_t vrid = 0;       // 1..255
  std::uint8_t priority = 100;  // 1..255; 255 = address owner
  Duration advert_interval = std::chrono::seconds(1);  // VRRPv3: 10ms..40950ms, whole centiseconds
  std::vector<IpPrefix> vips;
  bool preempt = true;
  Duration preempt_delay{0};
  std::vector<TrackConfig> track;
  // Gratuitous ARP on becoming MASTER: a burst of garp_count rounds, garp_interval apart,
  // then one round every garp_refresh (0 = no periodic refresh).
  int garp_count = 3;
  Duration garp_interval = std::chrono::milliseconds(100);
  Duration garp_refresh{0};
  // One more round this long after becoming MASTER (0 = none): see agent/instance_runner.hpp.
  Duration garp_repeat = std::chrono::seconds(2);
  HookConfig hooks;
  OnVipRemoved on_vip_removed = OnVipRemoved::Restore;
  ChecksumMode checksum = ChecksumMode::Auto;

  bool operator==(const InstanceConfig&) const = default;
};

// A sync group: its instances leave MASTER together and are in FAULT together.
struct GroupConfig {
  std::string name;
  std::vector<std::string> instances;  // names of [[instance]]s; an instance is in one group
  HookConfig hooks;                    // called when the group's state changes

  bool operator==(const GroupConfig&) const = default;
};

struct Config {
  std::string path;  // the file it was read from
  GlobalConfig global;
  std::vector<CheckConfig> checks;
  std::vector<InstanceConfig> instances;
  std::vector<GroupConfig> groups;

  bool operator==(const Config&) const = default;
};

}  // namespace floatd::conf

// The running agent: builds the kernel adapters and one InstanceRunner per configured
// instance, wires link notifications and received adverts to them, and stops gracefully on
// SIGTERM/SIGINT.
//
//   floatd_main -> Daemon -> InstanceRunner -> election (pure)
//                    |            '-> ports (agent/ports.hpp) -> netlink/instance_ports
//                    |-> Tracking (checks)          -> InstanceRunner::health/priority_changed
//                    |-> SyncGroups (observes every InstanceRunner) -> resign/group_fault_changed
//                    |-> NotifyHooks (state changes -> hooks, one at a time)
//                    |-> LinkMonitor (netlink)      -> InstanceRunner::link_changed
//                    |-> VrrpSocket4 (netlink) -> AdvertDispatcher -> InstanceRunner::advert_received
//                    '-> ControlServer -> handle_control_request (status, resign, peers, ...)
//
// Reload (SIGHUP, floatctl reload; agent/daemon_reload.cpp):
//   load the file -> conf::diff_configs(running, next) -> prepare (may fail: nothing changed)
//   -> apply: removed/restarted instances resign, checks swap, updated instances
//      reconfigure in place, new instances start. Unchanged instances are not touched.
#pragma once
#include <map>
#include <memory>
#include <vector>

#include <ev.h>

#include "agent/advert_dispatcher.hpp"
#include "agent/control_commands.hpp"
#include "agent/control_server.hpp"
#include "agent/handoff.hpp"
#include "agent/tracking.hpp"
#include "agent/transition_history.hpp"
#include "agent/instance_runner.hpp"
#include "agent/logging.hpp"
#include "agent/maintenance_flag.hpp"
#include "agent/metrics_textfile.hpp"
#include "agent/notify_hooks.hpp"
#include "agent/sync_groups.hpp"
#include "agent/systemd_notifier.hpp"
#include "conf/config.hpp"
#include "conf/config_diff.hpp"
#include "netlink/address_manager.hpp"
#include "netlink/garp.hpp"
#include "netlink/instance_ports.hpp"
#include "netlink/link_info.hpp"
#include "netlink/link_monitor.hpp"
#include "netlink/vrrp_socket.hpp"

namespace floatd {

class Daemon {
 public:
  // Throws std::runtime_error naming the instance and interface when start-up is impossible
  // (interface missing, no IPv4 address to send adverts from, no privileges, another floatd
  // already running with the same control socket).
  // `resumed`: the state handed over by the previous process (hitless restart), or null.
  Daemon(struct ev_loop* loop, const conf::Config& config, StateChangeLog& state_log,
         const Handoff* resumed = nullptr);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  enum class Exit { Stopped, Restart };
  // Tells systemd it is ready and runs until SIGTERM or SIGINT (then resigns every instance:
  // Stopped) or a hitless restart was asked for (the handoff file is written, MASTERs keep
  // their VIPs: Restart, and the caller execs the new floatd).
  Exit run();
  // "web MASTER 150, db BACKUP 100"
  std::string summary() const;
  // "" or what is wrong (the systemd watchdog is fed only while this is "").
  std::string health() const;

  // Reads the configuration file again. With `plan_only`, says what a reload would do;
  // otherwise applies it completely, or (any error) not at all.
  ReloadOutcome reload(bool plan_only);

 private:
  // Everything bound to one interface, shared by the instances on it.
  struct Link {
    net::LinkInfo info;
    IpAddress primary;
    std::unique_ptr<AdvertDispatcher> dispatcher;
    std::unique_ptr<net::VrrpSocket4> socket;
    std::unique_ptr<net::Ipv4AdvertSocket> advert_socket;
    std::unique_ptr<net::InterfaceAddresses> addresses;
    std::unique_ptr<net::GarpAnnouncer> announcer;
    std::vector<InstanceRunner*> instances;
  };

  Link& open_link(const conf::InstanceConfig& instance);
  InstanceRunner& add_instance(const conf::InstanceConfig& instance);
  void start_instance(InstanceRunner& runner, const conf::InstanceConfig& instance,
                      const Handoff* resumed = nullptr);
  void remove_instance(const std::string& name);
  InstanceRunner* find_instance(const std::string& name);
  std::vector<InstanceRunner*> runners() const;
  Link* link_of(const InstanceRunner& runner);
  ElectionConfig election_config(const conf::InstanceConfig& instance, const Link& link) const;
  static InstanceSettings instance_settings(const conf::InstanceConfig& instance,
                                            const std::string& interface);
  // Reload steps (agent/daemon_reload.cpp).
  void check_links_exist(const conf::Config& next, const conf::ConfigDiff& diff) const;
  void apply(const conf::Config& next, const conf::ConfigDiff& diff,
             Tracking::PreparedChecks prepared, std::optional<checks::ScriptUser> hook_user);
  void reload_from_signal();
  // Hitless restart (floatctl restart): "" or why not.
  std::string request_restart();
  Handoff handoff() const;
  static void on_restart_timer(struct ev_loop* loop, ev_timer* watcher, int revents);
  void on_link_event(const net::LinkEvent& event);
  void on_address_event(const net::AddressEvent& event);
  void resync_links();
  void set_link_state(Link& link, bool up);
  void stop();
  ControlServer::Reply handle_control(std::string_view request);
  ControlContext control_context();
  void on_state_change(const StateChange& change);
  std::string set_maintenance(bool on);
  static void on_stop_signal(struct ev_loop* loop, ev_signal* watcher, int revents);
  static void on_hup_signal(struct ev_loop* loop, ev_signal* watcher, int revents);

  struct ev_loop* loop_;
  // What runs now. control_socket and state_dir keep their start-up values (see config_diff).
  conf::Config config_;
  StateChangeLog& state_log_;
  std::shared_ptr<spdlog::logger> log_;
  net::AddressManager netlink_addresses_;
  net::GarpSender garp_;
  std::map<int, Link> links_;  // by ifindex
  std::unique_ptr<NotifyHooks> hooks_;  // reads config_
  SyncGroups sync_groups_;  // before instances_: they call it until they are gone
  std::vector<std::unique_ptr<InstanceRunner>> instances_;
  std::unique_ptr<Tracking> tracking_;  // after instances_: it points at them
  std::unique_ptr<net::LinkMonitor> link_monitor_;
  TransitionHistory history_;
  MaintenanceFlag maintenance_flag_;
  bool maintenance_ = false;
  std::unique_ptr<ControlServer> control_;  // after instances_: destroyed before them
  SystemdNotifier notifier_;
  std::unique_ptr<MetricsTextfile> metrics_file_;  // after what it reports on
  ev_signal sigterm_{}, sigint_{}, sighup_{};
  ev_timer restart_timer_{};  // leaves the loop right after the restart request's reply
  Exit exit_ = Exit::Stopped;
};

}  // namespace floatd

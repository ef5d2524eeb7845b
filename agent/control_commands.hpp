// What floatd answers on its control socket: one request line in, one reply out.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/advert_dispatcher.hpp"
#include "agent/control_protocol.hpp"
#include "agent/control_server.hpp"
#include "agent/instance_runner.hpp"
#include "agent/metrics.hpp"
#include "agent/transition_history.hpp"

namespace floatd {

// What a reload did or would do.
struct ReloadOutcome {
  bool ok = false;
  bool applied = false;            // false for a plan, an error, or nothing to change
  std::vector<std::string> lines;  // the plan (conf::format_plan), or the errors
};

// A read/act view of the running daemon for one request.
struct ControlContext {
  const std::vector<std::unique_ptr<InstanceRunner>>& instances;
  std::vector<const AdvertDispatcher*> interfaces;
  std::vector<CheckMetrics> checks;
  const TransitionHistory& history;
  bool maintenance = false;
  // Stores the flag and tells every instance; "" or why the flag could not be stored.
  std::function<std::string(bool on)> set_maintenance;
  std::function<ReloadOutcome(bool plan_only)> reload;
  std::function<std::string()> running_config;  // as TOML (conf::format_config)
  // Validates the configuration and schedules the hitless restart; "" or why not.
  std::function<std::string()> restart;
};

control::InstanceStatus instance_status(const InstanceRunner& runner);
// {"event": "state_change", "at": ..., "instance": ..., ...}: a `watch` line and a history row.
nlohmann::json state_change_to_json(const HistoryEntry& entry);

ControlServer::Reply handle_control_request(std::string_view line, const ControlContext& context);

// Who may ask what. The control socket (0660, group floatd) tells its peer's uid
// (SO_PEERCRED); a request that changes something (resign, maintenance on|off, reload
// without --plan, restart) needs root (uid 0) or floatd's own effective uid; the rest
// (status, peers, history, metrics, watch, config, reload --plan) only reads.
enum class Access { Read, Change };
Access access_needed(const control::Request& request);
// "resign", "maintenance on", "reload --plan", ...: the request as floatctl spells it.
std::string command_name(const control::Request& request);
// "" when a peer with `peer_uid` (nullopt: unknown) may make `request` of a floatd running
// as `own_uid`, else why not: "resign needs root (uid 0): you are uid 1000".
std::string access_refusal(const control::Request& request, std::optional<uid_t> peer_uid,
                           uid_t own_uid);
// The same for a request line; one that does not parse is not refused here (the handler
// answers with the parse error).
std::string access_refusal(std::string_view line, std::optional<uid_t> peer_uid, uid_t own_uid);
// The Prometheus text of `floatctl metrics` (and global.metrics_textfile).
std::string metrics_text(const ControlContext& context);

}  // namespace floatd

// What floatd answers on its control socket: one request line in, one reply out.
#pragma once
#include <functional>
#include <memory>
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
// The Prometheus text of `floatctl metrics` (and global.metrics_textfile).
std::string metrics_text(const ControlContext& context);

}  // namespace floatd

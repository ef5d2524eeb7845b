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
#include "agent/transition_history.hpp"

namespace floatd {

// A read/act view of the running daemon for one request.
struct ControlContext {
  const std::vector<std::unique_ptr<InstanceRunner>>& instances;
  std::vector<const AdvertDispatcher*> interfaces;
  const TransitionHistory& history;
  bool maintenance = false;
  // Stores the flag and tells every instance; "" or why the flag could not be stored.
  std::function<std::string(bool on)> set_maintenance;
};

control::InstanceStatus instance_status(const InstanceRunner& runner);
// {"event": "state_change", "at": ..., "instance": ..., ...}: a `watch` line and a history row.
nlohmann::json state_change_to_json(const HistoryEntry& entry);

ControlServer::Reply handle_control_request(std::string_view line, const ControlContext& context);

}  // namespace floatd

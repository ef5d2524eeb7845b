#include "agent/control_commands.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "agent/metrics.hpp"
#include "agent/overloaded.hpp"

namespace floatd {
namespace {

using nlohmann::json;


// UTC with milliseconds, so events within one second keep their order.
std::string rfc3339(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "";
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, ms);
}

std::string resign(const std::string& name, const ControlContext& ctx) {
  for (const auto& runner : ctx.instances) {
    if (runner->name() != name) continue;
    if (runner->state().state != State::Master) {
      return control::error_response(
          fmt::format("instance '{}' is {}, not MASTER: nothing to resign", name,
                      to_string(runner->state().state)));
    }
    runner->resign();
    return control::ok_response(control::status_to_json({instance_status(*runner)}, ctx.maintenance));
  }
  return control::error_response(fmt::format("no instance named '{}'", name));
}

json peers(const ControlContext& ctx) {
  json list = json::array();
  for (const auto* itf : ctx.interfaces) {
    for (const auto& p : itf->peers().peers()) {
      json vips = json::array();
      for (const auto& v : p.vips) vips.push_back(v.to_string());
      list.push_back({{"interface", itf->interface_name()},
                      {"vrid", p.vrid},
                      {"address", p.address.to_string()},
                      {"priority", p.priority},
                      {"interval_ms", std::chrono::milliseconds(p.interval).count()},
                      {"version", p.version},
                      {"checksum", p.checksum == packet::ChecksumVariant::PseudoHeader
                                       ? "pseudo-header"
                                       : "rfc9568"},
                      {"vips", vips},
                      {"last_seen", rfc3339(p.last_seen)},
                      {"adverts", p.adverts}});
    }
  }
  return json{{"peers", list}};
}

json history(const ControlContext& ctx) {
  json list = json::array();
  for (const auto& e : ctx.history.entries()) list.push_back(state_change_to_json(e));
  return json{{"history", list}};
}

}  // namespace

std::string metrics_text(const ControlContext& ctx) {
  std::vector<InstanceMetrics> instances;
  for (const auto& r : ctx.instances) {
    instances.push_back({r->name(), r->vrid(), r->state().state, r->configured_priority(),
                         r->state().priority, r->counters()});
  }
  std::vector<InterfaceMetrics> interfaces;
  for (const auto* itf : ctx.interfaces)
    interfaces.push_back({itf->interface_name(), itf->drops(), itf->peers().size()});
  return format_metrics(instances, interfaces, ctx.checks);
}

namespace {

std::string reload(bool plan_only, const ControlContext& ctx) {
  const ReloadOutcome outcome = ctx.reload(plan_only);
  if (!outcome.ok) {
    std::string message = "the configuration has errors; nothing was changed";
    for (const auto& line : outcome.lines) message += "\n" + line;
    return control::error_response(message);
  }
  return control::ok_response(json{{"applied", outcome.applied}, {"plan", outcome.lines}});
}

}  // namespace

control::InstanceStatus instance_status(const InstanceRunner& runner) {
  control::InstanceStatus s;
  const auto& state = runner.state();
  s.name = runner.name();
  s.interface = runner.settings().interface;
  s.vrid = runner.vrid();
  s.state = state.state;
  s.priority = runner.configured_priority();
  s.effective_priority = state.priority;
  for (const auto& vip : runner.settings().vips) s.vips.push_back(vip.to_string());
  if (state.state == State::Backup && state.master_address) {
    s.master_address = state.master_address->to_string();
    s.master_priority = state.master_priority;
  }
  s.since = rfc3339(runner.last_change().at);
  s.last_reason = runner.last_change().reason;
  return s;
}

json state_change_to_json(const HistoryEntry& e) {
  const auto& c = e.change;
  return {{"event", "state_change"},     {"at", rfc3339(e.at)},
          {"instance", c.instance},      {"vrid", c.vrid},
          {"from", to_string(c.from)},   {"to", to_string(c.to)},
          {"priority", c.priority},      {"reason", c.reason},
          {"peer", c.peer.empty() ? json(nullptr) : json(c.peer)}};
}

Access access_needed(const control::Request& request) {
  return std::visit(
      Overloaded{
          [](const control::request::Resign&) { return Access::Change; },
          [](const control::request::Maintenance&) { return Access::Change; },
          [](const control::request::Reload& r) { return r.plan ? Access::Read : Access::Change; },
          [](const control::request::Restart&) { return Access::Change; },
          // status, peers, history, metrics, watch, config
          [](const auto&) { return Access::Read; },
      },
      request);
}

std::string command_name(const control::Request& request) {
  return std::visit(
      Overloaded{
          [](const control::request::Status&) -> std::string { return "status"; },
          [](const control::request::Resign&) -> std::string { return "resign"; },
          [](const control::request::Peers&) -> std::string { return "peers"; },
          [](const control::request::History&) -> std::string { return "history"; },
          [](const control::request::Metrics&) -> std::string { return "metrics"; },
          [](const control::request::Watch&) -> std::string { return "watch"; },
          [](const control::request::Maintenance& m) -> std::string {
            return m.on ? "maintenance on" : "maintenance off";
          },
          [](const control::request::Reload& r) -> std::string {
            return r.plan ? "reload --plan" : "reload";
          },
          [](const control::request::Config&) -> std::string { return "config"; },
          [](const control::request::Restart&) -> std::string { return "restart"; },
      },
      request);
}

std::string access_refusal(const control::Request& request, std::optional<uid_t> peer_uid,
                           uid_t own_uid) {
  if (access_needed(request) == Access::Read) return "";
  if (peer_uid && (*peer_uid == 0 || *peer_uid == own_uid)) return "";
  const std::string who =
      own_uid == 0 ? std::string("root (uid 0)")
                   : fmt::format("root (uid 0) or floatd's user (uid {})", own_uid);
  const std::string you = peer_uid ? fmt::format("you are uid {}", *peer_uid)
                                   : std::string("your uid is unknown");
  return fmt::format("{} needs {}: {}", command_name(request), who, you);
}

std::string access_refusal(std::string_view line, std::optional<uid_t> peer_uid, uid_t own_uid) {
  const auto parsed = control::parse_request(line);
  const auto* request = std::get_if<control::Request>(&parsed);
  return request ? access_refusal(*request, peer_uid, own_uid) : "";
}

ControlServer::Reply handle_control_request(std::string_view line, const ControlContext& ctx) {
  const auto parsed = control::parse_request(line);
  if (const auto* error = std::get_if<control::ParseError>(&parsed))
    return {control::error_response(error->message)};
  return std::visit(
      Overloaded{
          [&](const control::request::Status&) -> ControlServer::Reply {
            std::vector<control::InstanceStatus> all;
            for (const auto& r : ctx.instances) all.push_back(instance_status(*r));
            return {control::ok_response(control::status_to_json(all, ctx.maintenance))};
          },
          [&](const control::request::Resign& r) -> ControlServer::Reply {
            return {resign(r.instance, ctx)};
          },
          [&](const control::request::Peers&) -> ControlServer::Reply {
            return {control::ok_response(peers(ctx))};
          },
          [&](const control::request::History&) -> ControlServer::Reply {
            return {control::ok_response(history(ctx))};
          },
          [&](const control::request::Metrics&) -> ControlServer::Reply {
            return {control::ok_response(json{{"text", metrics_text(ctx)}})};
          },
          [&](const control::request::Maintenance& m) -> ControlServer::Reply {
            if (auto error = ctx.set_maintenance(m.on); !error.empty())
              return {control::error_response(error)};
            std::vector<control::InstanceStatus> all;
            for (const auto& r : ctx.instances) all.push_back(instance_status(*r));
            return {control::ok_response(control::status_to_json(all, m.on))};
          },
          [&](const control::request::Watch&) -> ControlServer::Reply {
            return {control::ok_response(json{{"watching", true}}), true};
          },
          [&](const control::request::Reload& r) -> ControlServer::Reply {
            return {reload(r.plan, ctx)};
          },
          [&](const control::request::Config&) -> ControlServer::Reply {
            return {control::ok_response(json{{"toml", ctx.running_config()}})};
          },
          [&](const control::request::Restart&) -> ControlServer::Reply {
            if (auto error = ctx.restart(); !error.empty())
              return {control::error_response(error)};
            return {control::ok_response(json{{"restarting", true}})};
          },
      },
      std::get<control::Request>(parsed));
}

}  // namespace floatd

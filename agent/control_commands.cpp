#include "agent/control_commands.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace floatd {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

std::string rfc3339(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "";
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", ms);
}

std::string resign(const std::string& name,
                   const std::vector<std::unique_ptr<InstanceRunner>>& instances) {
  for (const auto& runner : instances) {
    if (runner->name() != name) continue;
    if (runner->state().state != State::Master) {
      return control::error_response(
          fmt::format("instance '{}' is {}, not MASTER: nothing to resign", name,
                      to_string(runner->state().state)));
    }
    runner->resign();
    return control::ok_response(control::status_to_json({instance_status(*runner)}));
  }
  return control::error_response(fmt::format("no instance named '{}'", name));
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

std::string handle_control_request(std::string_view line,
                                   const std::vector<std::unique_ptr<InstanceRunner>>& instances) {
  const auto parsed = control::parse_request(line);
  if (const auto* error = std::get_if<control::ParseError>(&parsed))
    return control::error_response(error->message);
  return std::visit(Overloaded{
                        [&](const control::request::Status&) {
                          std::vector<control::InstanceStatus> all;
                          for (const auto& r : instances) all.push_back(instance_status(*r));
                          return control::ok_response(control::status_to_json(all));
                        },
                        [&](const control::request::Resign& r) { return resign(r.instance, instances); },
                    },
                    std::get<control::Request>(parsed));
}

}  // namespace floatd

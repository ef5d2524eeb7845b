#include "agent/control_protocol.hpp"

#include <fmt/format.h>

#include "agent/overloaded.hpp"

namespace floatd::control {
namespace {

using nlohmann::json;


std::optional<State> state_from_string(std::string_view text) {
  for (State s : {State::Init, State::Backup, State::Master, State::Fault})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::variant<Request, ParseError> parse_object(const json& j) {
  if (!j.is_object()) return ParseError{"request must be a JSON object"};
  const auto command = j.find("command");
  if (command == j.end() || !command->is_string())
    return ParseError{"request needs a \"command\" string"};
  const auto& name = command->get_ref<const std::string&>();
  if (name == "status") return Request{request::Status{}};
  if (name == "peers") return Request{request::Peers{}};
  if (name == "history") return Request{request::History{}};
  if (name == "metrics") return Request{request::Metrics{}};
  if (name == "watch") return Request{request::Watch{}};
  if (name == "config") return Request{request::Config{}};
  if (name == "restart") return Request{request::Restart{}};
  if (name == "reload") {
    const auto plan = j.find("plan");
    if (plan != j.end() && !plan->is_boolean()) return ParseError{"reload \"plan\" must be true|false"};
    return Request{request::Reload{plan != j.end() && plan->get<bool>()}};
  }
  if (name == "maintenance") {
    const auto on = j.find("on");
    if (on == j.end() || !on->is_boolean()) return ParseError{"maintenance needs \"on\": true|false"};
    return Request{request::Maintenance{on->get<bool>()}};
  }
  if (name == "resign") {
    const auto instance = j.find("instance");
    if (instance == j.end() || !instance->is_string() || instance->get_ref<const std::string&>().empty())
      return ParseError{"resign needs an \"instance\" name"};
    return Request{request::Resign{instance->get<std::string>()}};
  }
  return ParseError{fmt::format("unknown command '{}'", name)};
}

}  // namespace

std::variant<Request, ParseError> parse_request(std::string_view line) {
  if (line.size() > kMaxRequestBytes) return ParseError{"request too long"};
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return ParseError{"request is not valid JSON"};
  return parse_object(j);
}

std::string format_request(const Request& request) {
  const json j = std::visit(
      Overloaded{
          [](const request::Status&) { return json{{"command", "status"}}; },
          [](const request::Resign& r) { return json{{"command", "resign"}, {"instance", r.instance}}; },
          [](const request::Peers&) { return json{{"command", "peers"}}; },
          [](const request::History&) { return json{{"command", "history"}}; },
          [](const request::Metrics&) { return json{{"command", "metrics"}}; },
          [](const request::Watch&) { return json{{"command", "watch"}}; },
          [](const request::Maintenance& m) { return json{{"command", "maintenance"}, {"on", m.on}}; },
          [](const request::Reload& r) { return json{{"command", "reload"}, {"plan", r.plan}}; },
          [](const request::Config&) { return json{{"command", "config"}}; },
          [](const request::Restart&) { return json{{"command", "restart"}}; },
      },
      request);
  return to_line(j);
}

json status_to_json(const std::vector<InstanceStatus>& instances, bool maintenance) {
  json list = json::array();
  for (const auto& s : instances) {
    json master = nullptr;
    if (s.master_address) master = {{"address", *s.master_address}, {"priority", s.master_priority}};
    list.push_back({{"name", s.name},
                    {"interface", s.interface},
                    {"vrid", s.vrid},
                    {"state", std::string(to_string(s.state))},
                    {"priority", s.priority},
                    {"effective_priority", s.effective_priority},
                    {"vips", s.vips},
                    {"master", master},
                    {"since", s.since},
                    {"reason", s.last_reason}});
  }
  return json{{"instances", list}, {"maintenance", maintenance}};
}

std::vector<InstanceStatus> status_from_json(const json& result) {
  std::vector<InstanceStatus> out;
  for (const auto& i : result.at("instances")) {
    InstanceStatus s;
    s.name = i.at("name").get<std::string>();
    s.interface = i.at("interface").get<std::string>();
    s.vrid = i.at("vrid").get<std::uint8_t>();
    const auto state = state_from_string(i.at("state").get<std::string>());
    if (!state) throw std::runtime_error("unknown state in status");
    s.state = *state;
    s.priority = i.at("priority").get<std::uint8_t>();
    s.effective_priority = i.at("effective_priority").get<std::uint8_t>();
    s.vips = i.at("vips").get<std::vector<std::string>>();
    if (const auto& m = i.at("master"); !m.is_null()) {
      s.master_address = m.at("address").get<std::string>();
      s.master_priority = m.at("priority").get<std::uint8_t>();
    }
    s.since = i.at("since").get<std::string>();
    s.last_reason = i.at("reason").get<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

std::string to_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ok_response(const json& result) { return to_line(json{{"ok", true}, {"result", result}}); }

std::string error_response(std::string_view message) {
  return to_line(json{{"ok", false}, {"error", message}});
}

}  // namespace floatd::control

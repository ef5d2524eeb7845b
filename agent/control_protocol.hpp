// The control-socket protocol between floatctl and floatd: one JSON object per line each way.
//
//   request:  {"command": "status" | "peers" | "history" | "metrics" | "watch"}
//             {"command": "resign", "instance": "web"}
//             {"command": "maintenance", "on": true}
//             {"command": "reload", "plan": false}   plan: only say what a reload would do
//             {"command": "config"}    the running configuration, as TOML (floatd --check --plan)
//             {"command": "restart"}   hitless restart: hand the running state to a new process
//   response: {"ok": true, "result": ...}  or  {"ok": false, "error": "message"}
//   watch:    the response, then one {"event": "state_change", ...} line per event
//
// Pure: text in, values out, so the parser is unit-tested and fuzzed without a socket.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/election.hpp"

namespace floatd::control {

inline constexpr std::size_t kMaxRequestBytes = 4096;

namespace request {
struct Status {};
struct Resign {
  std::string instance;
};
struct Peers {};
struct History {};
struct Metrics {};
struct Watch {};  // the connection stays open; one JSON event per line follows
struct Maintenance {
  bool on = false;
};
struct Reload {
  bool plan = false;
};
struct Config {};
struct Restart {};
}  // namespace request
using Request = std::variant<request::Status, request::Resign, request::Peers, request::History,
                             request::Metrics, request::Watch, request::Maintenance,
                             request::Reload, request::Config, request::Restart>;

struct ParseError {
  std::string message;
};

// Parses one request line (without the newline).
std::variant<Request, ParseError> parse_request(std::string_view line);
std::string format_request(const Request& request);

// What `status` reports for one instance.
struct InstanceStatus {
  std::string name;
  std::string interface;
  std::uint8_t vrid = 0;
  State state = State::Init;
  std::uint8_t priority = 0;            // configured
  std::uint8_t effective_priority = 0;  // what it advertises now
  std::vector<std::string> vips;
  std::optional<std::string> master_address;  // the master heard last (when BACKUP)
  std::uint8_t master_priority = 0;
  std::string since;  // RFC 3339 UTC time of the last state change
  std::string last_reason;

  bool operator==(const InstanceStatus&) const = default;
};

nlohmann::json status_to_json(const std::vector<InstanceStatus>& instances, bool maintenance);
std::vector<InstanceStatus> status_from_json(const nlohmann::json& result);  // throws on bad shape

// One line of JSON; invalid UTF-8 (an odd interface name, say) is replaced, never thrown.
std::string to_line(const nlohmann::json& j);
std::string ok_response(const nlohmann::json& result);
std::string error_response(std::string_view message);

}  // namespace floatd::control

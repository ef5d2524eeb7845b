// The control-socket protocol: request parsing (hostile input included) and status JSON.
#include <doctest/doctest.h>

#include "agent/control_protocol.hpp"
#include "agent/floatctl_tables.hpp"

using namespace floatd;
using namespace floatd::control;

namespace {

std::string parse_error(std::string_view line) {
  const auto r = parse_request(line);
  const auto* e = std::get_if<ParseError>(&r);
  return e ? e->message : "";
}

InstanceStatus sample() {
  InstanceStatus s;
  s.name = "web";
  s.interface = "eth0";
  s.vrid = 51;
  s.state = State::Backup;
  s.priority = 150;
  s.effective_priority = 50;
  s.vips = {"192.0.2.100/24"};
  s.master_address = "192.0.2.2";
  s.master_priority = 100;
  s.since = "2026-11-30T23:39:31Z";
  s.last_reason = "resigned by the operator";
  return s;
}

}  // namespace

TEST_CASE("control: requests round-trip through their JSON line") {
  const auto status = parse_request(format_request(request::Status{}));
  CHECK(std::holds_alternative<request::Status>(std::get<Request>(status)));
  for (const Request& r :
       std::vector<Request>{request::Peers{}, request::History{}, request::Metrics{},
                            request::Watch{}, request::Config{}, request::Restart{}})
    CHECK(std::get<Request>(parse_request(format_request(r))).index() == r.index());
  const auto on = parse_request(format_request(request::Maintenance{true}));
  CHECK(std::get<request::Maintenance>(std::get<Request>(on)).on);
  const auto resign = parse_request(format_request(request::Resign{"web"}));
  CHECK(std::get<request::Resign>(std::get<Request>(resign)).instance == "web");
  const auto plan = parse_request(format_request(request::Reload{true}));
  CHECK(std::get<request::Reload>(std::get<Request>(plan)).plan);
  const auto reload = parse_request("{\"command\":\"reload\"}");
  CHECK_FALSE(std::get<request::Reload>(std::get<Request>(reload)).plan);
}

TEST_CASE("control: malformed requests are refused with a reason, never thrown") {
  CHECK(parse_error("") == "request is not valid JSON");
  CHECK(parse_error("{\"command\":") == "request is not valid JSON");
  CHECK(parse_error("[1,2]") == "request must be a JSON object");
  CHECK(parse_error("{}") == "request needs a \"command\" string");
  CHECK(parse_error("{\"command\":7}") == "request needs a \"command\" string");
  CHECK(parse_error("{\"command\":\"reboot\"}") == "unknown command 'reboot'");
  CHECK(parse_error("{\"command\":\"resign\"}") == "resign needs an \"instance\" name");
  CHECK(parse_error("{\"command\":\"maintenance\",\"on\":1}") ==
        "maintenance needs \"on\": true|false");
  CHECK(parse_error("{\"command\":\"resign\",\"instance\":\"\"}") ==
        "resign needs an \"instance\" name");
  CHECK(parse_error("{\"command\":\"reload\",\"plan\":\"yes\"}") ==
        "reload \"plan\" must be true|false");
  CHECK(parse_error(std::string(kMaxRequestBytes + 1, ' ')) == "request too long");
  CHECK(parse_error("{\"command\":\"\xff\xfe\"}").size() > 0);
}

TEST_CASE("control: status JSON carries the contract fields and reads back") {
  const auto j = status_to_json({sample()}, true);
  CHECK(j.at("maintenance") == true);
  const auto& i = j.at("instances").at(0);
  CHECK(i.at("name") == "web");
  CHECK(i.at("vrid") == 51);
  CHECK(i.at("state") == "BACKUP");
  CHECK(i.at("priority") == 150);
  CHECK(i.at("effective_priority") == 50);
  CHECK(i.at("vips") == nlohmann::json::array({"192.0.2.100/24"}));
  CHECK(i.at("master").at("address") == "192.0.2.2");
  CHECK(status_from_json(j) == std::vector<InstanceStatus>{sample()});
}

TEST_CASE("control: responses are one line, ok or error") {
  CHECK(ok_response(nlohmann::json{{"a", 1}}) == R"({"ok":true,"result":{"a":1}})");  // keys sorted
  CHECK(error_response("bad \"x\"") == R"({"error":"bad \"x\"","ok":false})");
  CHECK(error_response("\xff").find('\n') == std::string::npos);  // invalid UTF-8 replaced
}

TEST_CASE("status table: aligned columns, master with its priority, reason last") {
  auto master = sample();
  master.name = "db-long-name";
  master.state = State::Master;
  master.master_address.reset();
  const auto table = format_status_table({sample(), master});
  CHECK(table ==
        "INSTANCE      VRID  STATE   PRIO  EFF  VIPS            MASTER           SINCE           "
        "      REASON\n"
        "web           51    BACKUP  150   50   192.0.2.100/24  192.0.2.2 (100)  "
        "2026-11-30T23:39:31Z  resigned by the operator\n"
        "db-long-name  51    MASTER  150   50   192.0.2.100/24  -                "
        "2026-11-30T23:39:31Z  resigned by the operator\n");
  CHECK(format_status_table({}).find("no instances configured") != std::string::npos);
}

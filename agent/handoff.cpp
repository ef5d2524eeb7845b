#include "agent/handoff.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "agent/text_file.hpp"

namespace floatd {
namespace {

using nlohmann::json;

std::optional<State> state_named(const std::string& text) {
  for (State s : {State::Init, State::Backup, State::Master, State::Fault})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::optional<checks::Health> health_named(const std::string& text) {
  for (auto h : {checks::Health::Unknown, checks::Health::Passing, checks::Health::Failing})
    if (checks::to_string(h) == text) return h;
  return std::nullopt;
}

json counters_to_json(const InstanceCounters& c) {
  return {{"adverts_sent", c.adverts_sent},         {"send_errors", c.send_errors},
          {"adverts_received", c.adverts_received}, {"transitions", c.transitions},
          {"became_master", c.became_master}, {"vips_restored", c.vips_restored}};
}

InstanceCounters counters_from_json(const json& j) {
  return {j.at("adverts_sent").get<std::uint64_t>(), j.at("send_errors").get<std::uint64_t>(),
          j.at("adverts_received").get<std::uint64_t>(), j.at("transitions").get<std::uint64_t>(),
          j.at("became_master").get<std::uint64_t>(),
          j.value("vips_restored", std::uint64_t{0})};  // absent in a 0.x handoff
}

Handoff::Instance instance_from_json(const json& j) {
  const auto state = state_named(j.at("state").get<std::string>());
  if (!state) throw std::invalid_argument("unknown state");
  return {j.at("name").get<std::string>(), j.at("interface").get<std::string>(),
          j.at("vrid").get<std::uint8_t>(), *state, counters_from_json(j.at("counters"))};
}

}  // namespace

const Handoff::Instance* Handoff::find(const std::string& name) const {
  for (const auto& i : instances) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

bool Handoff::was_master(const std::string& name, const std::string& interface,
                         std::uint8_t vrid) const {
  const auto* i = find(name);
  return i && i->interface == interface && i->vrid == vrid && i->state == State::Master;
}

std::string handoff_to_json(const Handoff& h) {
  json instances = json::array();
  for (const auto& i : h.instances) {
    instances.push_back({{"name", i.name},
                         {"interface", i.interface},
                         {"vrid", i.vrid},
                         {"state", to_string(i.state)},
                         {"counters", counters_to_json(i.counters)}});
  }
  json checks = json::object();
  for (const auto& [name, health] : h.checks) checks[name] = checks::to_string(health);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(h.written_at.time_since_epoch());
  return json{{"pid", h.pid}, {"written_at_ms", ms.count()}, {"instances", instances}, {"checks", checks}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::optional<Handoff> handoff_from_json(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    Handoff h;
    h.pid = j.at("pid").get<int>();
    h.written_at = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(j.at("written_at_ms").get<std::int64_t>()));
    for (const auto& i : j.at("instances")) h.instances.push_back(instance_from_json(i));
    for (const auto& [name, value] : j.at("checks").items()) {
      const auto health = health_named(value.get<std::string>());
      if (!health) return std::nullopt;
      h.checks[name] = *health;
    }
    return h;
  } catch (const std::exception&) {  // a missing key or a wrong type: not a handoff
    return std::nullopt;
  }
}

std::string handoff_path(const std::string& control_socket) {
  const auto slash = control_socket.rfind('/');
  return (slash == std::string::npos ? std::string(".") : control_socket.substr(0, slash)) +
         "/handoff.json";
}

std::string save_handoff(const std::string& path, const Handoff& handoff) {
  const std::string temporary = path + ".new";
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return temporary + ": " + std::strerror(errno);
  const std::string text = handoff_to_json(handoff);
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int write_errno = errno;
  close(fd);
  if (!written || rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string error = path + ": " + std::strerror(written ? errno : write_errno);
    unlink(temporary.c_str());
    return error;
  }
  return "";
}

std::optional<Handoff> take_handoff(const std::string& path, int pid,
                                    std::chrono::system_clock::time_point now) {
  const auto text = read_text_file(path);
  if (!text) return std::nullopt;
  unlink(path.c_str());  // used once, whatever it holds
  auto handoff = handoff_from_json(*text);
  if (!handoff || handoff->pid != pid) return std::nullopt;
  const auto age = now - handoff->written_at;
  if (age < std::chrono::seconds(0) || age > kHandoffMaxAge) return std::nullopt;
  return handoff;
}

}  // namespace floatd

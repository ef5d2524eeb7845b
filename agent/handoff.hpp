// Hitless restart (floatctl restart, package upgrades): the running state a floatd process
// hands to the process it execs, so a MASTER stays MASTER with its VIPs in place and the
// trackers keep their verdicts. Written next to the control socket (/run/floatd/handoff.json)
// just before the exec and taken (read and deleted) by the new image at start-up.
//
// Only the exec'd image may use it: it records the PID (exec keeps it) and the time, and a
// file from another PID or older than kHandoffMaxAge is ignored (a crash between writing
// and exec, a stale file after a reboot).
#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/election.hpp"
#include "agent/instance_counters.hpp"
#include "checks/hysteresis.hpp"

namespace floatd {

inline constexpr std::chrono::seconds kHandoffMaxAge{30};

struct Handoff {
  struct Instance {
    std::string name;
    std::string interface;
    std::uint8_t vrid = 0;
    State state = State::Init;
    InstanceCounters counters;
    bool operator==(const Instance&) const = default;
  };
  int pid = 0;
  std::chrono::system_clock::time_point written_at;
  std::vector<Instance> instances;
  std::map<std::string, checks::Health> checks;  // by check name
  bool operator==(const Handoff&) const = default;

  const Instance* find(const std::string& name) const;
  bool was_master(const std::string& name, const std::string& interface, std::uint8_t vrid) const;
};

// Pure: the JSON text and back; nullopt for anything malformed.
std::string handoff_to_json(const Handoff& handoff);
std::optional<Handoff> handoff_from_json(std::string_view text);
// The handoff file for a control socket path: the same directory, "handoff.json".
std::string handoff_path(const std::string& control_socket);

// Written atomically (temporary file + rename), mode 0600; "" or why not.
std::string save_handoff(const std::string& path, const Handoff& handoff);
// Reads and deletes the file; nullopt when absent, malformed, not ours (`pid`) or too old.
std::optional<Handoff> take_handoff(const std::string& path, int pid,
                                    std::chrono::system_clock::time_point now);

}  // namespace floatd

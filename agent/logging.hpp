// Logging set-up (one spdlog logger per subsystem) and the state-change record, which is the
// one log entry every failover produces: a human line on stderr, or a structured journal entry
// with a fixed MESSAGE_ID and FLOATD_* fields (see ARCHITECTURE.md, "Journal").
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/election.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

enum class LogTarget { Auto, Journal, Stderr };
std::optional<LogTarget> parse_log_target(std::string_view text);

// Auto means Journal when JOURNAL_STREAM is set (systemd connected our stderr to the journal).
LogTarget resolve_log_target(LogTarget requested, const char* journal_stream_env);

// Creates the subsystem loggers ("floatd", "vrrp", "net", "conf", "checks") for the target.
void setup_logging(LogTarget resolved);
// The logger of a subsystem; falls back to a stderr logger when set-up did not run (tests).
std::shared_ptr<spdlog::logger> subsystem_logger(const std::string& name);

// MESSAGE_ID of a state change entry; documented in the journal catalog.
inline constexpr std::string_view kStateChangeMessageId = "d3994b6cf7024e9eaf42a47a73250c42";

struct StateChange {
  std::string instance;
  std::uint8_t vrid = 0;
  State from = State::Init;
  State to = State::Init;
  std::uint8_t priority = 0;
  std::string reason;
  std::string peer;  // the speaker that caused it ("" when none): FLOATD_PEER
};

// "web (vrid 51): BACKUP -> MASTER, priority 150: <reason>"
std::string describe(const StateChange& change);

// Logs every state change once and tells the observer (the daemon: systemd STATUS, `watch`,
// history, the metrics file).
class StateChangeLog {
 public:
  using Observer = std::function<void(const StateChange&)>;

  explicit StateChangeLog(LogTarget resolved) : journal_(resolved == LogTarget::Journal) {}
  void record(const StateChange& change) const;
  // One observer at a time; nullptr removes it (a daemon that goes away must).
  void observe(Observer observer) { observer_ = std::move(observer); }

 private:
  void write(const StateChange& change) const;

  bool journal_;
  Observer observer_;
};

}  // namespace floatd

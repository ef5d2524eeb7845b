#include "agent/logging.hpp"

#define SD_JOURNAL_SUPPRESS_LOCATION  // CODE_FILE/LINE would point here, not at the cause
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace floatd {
namespace {

constexpr const char* kSubsystems[] = {"floatd", "vrrp", "net", "conf", "checks"};

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, LogTarget target) {
  if (target == LogTarget::Journal) {
    // Formatting on, so the message keeps its "subsystem: " prefix as on stderr.
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("floatd", true);
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_pattern("%n: %v");
    return logger;
  }
  auto logger = std::make_shared<spdlog::logger>(
      name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %n: %v");
  return logger;
}

}  // namespace

std::optional<LogTarget> parse_log_target(std::string_view text) {
  if (text == "auto") return LogTarget::Auto;
  if (text == "journal") return LogTarget::Journal;
  if (text == "stderr") return LogTarget::Stderr;
  return std::nullopt;
}

LogTarget resolve_log_target(LogTarget requested, const char* journal_stream_env) {
  if (requested != LogTarget::Auto) return requested;
  return journal_stream_env && *journal_stream_env ? LogTarget::Journal : LogTarget::Stderr;
}

void setup_logging(LogTarget resolved) {
  for (const char* name : kSubsystems) {
    spdlog::drop(name);
    auto logger = make_logger(name, resolved);
    logger->flush_on(spdlog::level::info);
    spdlog::register_logger(logger);
  }
}

std::shared_ptr<spdlog::logger> subsystem_logger(const std::string& name) {
  if (auto logger = spdlog::get(name)) return logger;
  auto logger = make_logger(name, LogTarget::Stderr);
  spdlog::register_logger(logger);
  return logger;
}

std::string describe(const StateChange& c) {
  return fmt::format("{} (vrid {}): {} -> {}, priority {}: {}", c.instance, c.vrid,
                     to_string(c.from), to_string(c.to), c.priority, c.reason);
}

void StateChangeLog::record(const StateChange& c) const {
  write(c);
  if (observer_) observer_(c);
}

void StateChangeLog::write(const StateChange& c) const {
  const auto message = describe(c);
  if (!journal_) {
    subsystem_logger("vrrp")->info("{}", message);
    return;
  }
  const int priority = c.to == State::Fault ? LOG_WARNING : LOG_NOTICE;
  sd_journal_send("MESSAGE=vrrp: %s", message.c_str(),
                  "MESSAGE_ID=%.*s", static_cast<int>(kStateChangeMessageId.size()),
                  kStateChangeMessageId.data(), "PRIORITY=%i", priority,
                  "SYSLOG_IDENTIFIER=floatd", "FLOATD_INSTANCE=%s", c.instance.c_str(),
                  "FLOATD_VRID=%u", static_cast<unsigned>(c.vrid),
                  "FLOATD_FROM=%s", std::string(to_string(c.from)).c_str(),
                  "FLOATD_TO=%s", std::string(to_string(c.to)).c_str(),
                  "FLOATD_PRIORITY=%u", static_cast<unsigned>(c.priority),
                  "FLOATD_REASON=%s", c.reason.c_str(),
                  // Without a peer the list ends here (the arguments after are ignored).
                  c.peer.empty() ? nullptr : "FLOATD_PEER=%s", c.peer.c_str(), nullptr);
}

}  // namespace floatd

#include "agent/advert_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include "agent/logging.hpp"

namespace floatd {

AdvertDispatcher::AdvertDispatcher(std::string interface_name, IpAddress own_address)
    : interface_name_(std::move(interface_name)),
      own_address_(own_address),
      log_(subsystem_logger("net")) {}

void AdvertDispatcher::route(std::uint8_t vrid, Handler handler) {
  handlers_[vrid] = std::move(handler);
}

void AdvertDispatcher::receive(std::span<const std::uint8_t> datagram) {
  const auto result = packet::decode_ipv4(datagram);
  if (!result.decoded) {
    drop(result.reason, "");
    return;
  }
  const auto& decoded = *result.decoded;
  if (decoded.source == own_address_) return;  // our own advert, looped back
  peers_.record(decoded, std::chrono::system_clock::now());
  const auto handler = handlers_.find(decoded.advert.vrid);
  if (handler == handlers_.end()) {
    drop(packet::DropReason::UnknownVrid, fmt::format(" (vrid {} from {})", decoded.advert.vrid,
                                                      decoded.source.to_string()));
    return;
  }
  handler->second(decoded);
}

// A flood of bad packets must not flood the log: the first drop of each reason is logged at
// once (with its detail: what an operator looks for), then at most one line per reason every
// kDropLogInterval, written by the next drop after it, with the drops since the previous line.
// (Time, not counts: a per-lifetime count schedule such as 1, 2, 4, 8... writes a dozen lines
// per reason within a second of a flood, then goes silent for ever longer.) The counters in
// `floatctl metrics` have every drop.
void AdvertDispatcher::drop(packet::DropReason reason, const std::string& detail) {
  drops_.count(reason);
  const auto n = drops_[reason];
  auto& last = drop_log_[static_cast<std::size_t>(reason)];
  const auto now = std::chrono::steady_clock::now();
  if (last.logged_at && now - *last.logged_at < kDropLogInterval) return;
  if (!last.logged_at) {
    log_->warn("{}: dropped advert: {}{} ({} so far)", interface_name_, packet::to_string(reason),
               detail, n);
  } else {
    const auto since = std::chrono::duration_cast<std::chrono::seconds>(now - *last.logged_at);
    log_->warn("{}: dropped advert: {}{} ({} so far, {} in the last {}s)", interface_name_,
               packet::to_string(reason), detail, n, n - last.reported, since.count());
  }
  last.logged_at = now;
  last.reported = n;
}

}  // namespace floatd

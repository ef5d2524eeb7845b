#include "agent/advert_dispatcher.hpp"

#include <bit>

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

// A flood of bad packets must not flood the log: the 1st, 2nd, 4th, 8th... drop of each
// reason is logged, with the running count.
void AdvertDispatcher::drop(packet::DropReason reason, const std::string& detail) {
  drops_.count(reason);
  const auto n = drops_[reason];
  if (std::has_single_bit(n)) {
    log_->warn("{}: dropped advert: {}{} ({} so far)", interface_name_, packet::to_string(reason),
               detail, n);
  }
}

}  // namespace floatd

// Receive path of one interface: decodes each datagram, drops and counts what is invalid
// (per reason, log rate-limited in time), ignores our own adverts, remembers every speaker (also of
// VRIDs we do not run) and hands the rest to the virtual router with that VRID.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "agent/ip_address.hpp"
#include "agent/peer_table.hpp"
#include "netlink/vrrp_packet.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

class AdvertDispatcher {
 public:
  using Handler = std::function<void(const packet::Decoded&)>;
  // At most one "dropped advert" line per drop reason per interval (the first one at once).
  static constexpr std::chrono::seconds kDropLogInterval{60};

  AdvertDispatcher(std::string interface_name, IpAddress own_address);

  void route(std::uint8_t vrid, Handler handler);
  void unroute(std::uint8_t vrid) { handlers_.erase(vrid); }  // the instance is going away
  void receive(std::span<const std::uint8_t> datagram);
  const packet::DropCounters& drops() const { return drops_; }
  const PeerTable& peers() const { return peers_; }
  const std::string& interface_name() const { return interface_name_; }

 private:
  void drop(packet::DropReason reason, const std::string& detail);

  std::string interface_name_;
  IpAddress own_address_;
  std::map<std::uint8_t, Handler> handlers_;
  packet::DropCounters drops_;
  // Per drop reason: when its last log line was written, and how many drops it reported.
  struct DropLog {
    std::optional<std::chrono::steady_clock::time_point> logged_at;
    std::uint64_t reported = 0;
  };
  std::array<DropLog, packet::kDropReasonCount> drop_log_{};
  PeerTable peers_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace floatd

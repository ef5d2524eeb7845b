// Every VRRP speaker heard on an interface, per VRID: what `floatctl peers` shows and what
// tells an operator about a VRID collision. Bounded: spoofed sources cannot grow it forever.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "agent/ip_address.hpp"
#include "agent/time.hpp"
#include "netlink/vrrp_packet.hpp"

namespace floatd {

struct PeerInfo {
  std::uint8_t vrid = 0;
  IpAddress address;
  std::uint8_t priority = 0;
  Centiseconds interval{0};
  std::uint8_t version = 3;
  packet::ChecksumVariant checksum = packet::ChecksumVariant::PseudoHeader;
  std::vector<IpAddress> vips;
  std::chrono::system_clock::time_point last_seen;
  std::uint64_t adverts = 0;
};

class PeerTable {
 public:
  static constexpr std::size_t kMaxPeers = 1024;

  void record(const packet::Decoded& decoded, std::chrono::system_clock::time_point now);
  std::vector<PeerInfo> peers() const;  // ordered by VRID, then address
  std::size_t size() const { return peers_.size(); }

 private:
  void evict_oldest();
  std::map<std::pair<std::uint8_t, IpAddress>, PeerInfo> peers_;
};

}  // namespace floatd

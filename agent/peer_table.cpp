#include "agent/peer_table.hpp"

#include <algorithm>

namespace floatd {

void PeerTable::record(const packet::Decoded& d, std::chrono::system_clock::time_point now) {
  const auto key = std::make_pair(d.advert.vrid, d.source);
  auto found = peers_.find(key);
  if (found == peers_.end()) {
    if (peers_.size() >= kMaxPeers) evict_oldest();
    found = peers_.emplace(key, PeerInfo{}).first;
    found->second.vrid = d.advert.vrid;
    found->second.address = d.source;
  }
  auto& p = found->second;
  p.priority = d.advert.priority;
  p.interval = d.advert.max_advert_interval;
  p.version = d.advert.version;
  p.checksum = d.checksum;
  p.vips = d.advert.addresses;
  p.last_seen = now;
  ++p.adverts;
}

std::vector<PeerInfo> PeerTable::peers() const {
  std::vector<PeerInfo> out;
  out.reserve(peers_.size());
  for (const auto& [key, peer] : peers_) out.push_back(peer);
  return out;
}

void PeerTable::evict_oldest() {
  const auto oldest = std::min_element(peers_.begin(), peers_.end(), [](const auto& a, const auto& b) {
    return a.second.last_seen < b.second.last_seen;
  });
  peers_.erase(oldest);
}

}  // namespace floatd

// The table of VRRP speakers heard: one row per (VRID, source), bounded.
#include <doctest/doctest.h>

#include "agent/peer_table.hpp"

using namespace floatd;

namespace {

packet::Decoded heard(std::uint8_t vrid, const char* source, std::uint8_t priority) {
  packet::Decoded d;
  d.advert = Advert{3, vrid, priority, Centiseconds(10), {*IpAddress::parse("192.0.2.100")}};
  d.source = *IpAddress::parse(source);
  d.checksum = packet::ChecksumVariant::NoPseudoHeader;
  return d;
}

const std::chrono::system_clock::time_point t0{std::chrono::seconds(1'700'000'000)};

}  // namespace

TEST_CASE("peer table: one row per VRID and source, updated by later adverts") {
  PeerTable table;
  table.record(heard(51, "192.0.2.2", 100), t0);
  table.record(heard(51, "192.0.2.2", 90), t0 + std::chrono::seconds(1));
  table.record(heard(52, "192.0.2.2", 100), t0);
  table.record(heard(51, "192.0.2.3", 200), t0);
  const auto peers = table.peers();
  REQUIRE(peers.size() == 3);
  CHECK(peers[0].vrid == 51);
  CHECK(peers[0].address == *IpAddress::parse("192.0.2.2"));
  CHECK(peers[0].priority == 90);
  CHECK(peers[0].adverts == 2);
  CHECK(peers[0].last_seen == t0 + std::chrono::seconds(1));
  CHECK(peers[0].checksum == packet::ChecksumVariant::NoPseudoHeader);
  CHECK(peers[1].address == *IpAddress::parse("192.0.2.3"));
  CHECK(peers[2].vrid == 52);
}

TEST_CASE("peer table: a flood of spoofed sources is bounded, the oldest row goes first") {
  PeerTable table;
  table.record(heard(51, "192.0.2.2", 100), t0);  // the oldest
  for (int i = 0; i < 3000; ++i) {
    const auto source = "198.18." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    table.record(heard(51, source.c_str(), 1), t0 + std::chrono::seconds(1 + i));
  }
  CHECK(table.size() == PeerTable::kMaxPeers);
  for (const auto& p : table.peers()) CHECK(p.address != *IpAddress::parse("192.0.2.2"));
}

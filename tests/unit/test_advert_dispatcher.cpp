// The receive path of one interface: decode, drop and count per reason, route by VRID.
#include <doctest/doctest.h>

#include <vector>

#include "agent/advert_dispatcher.hpp"

using namespace floatd;
using packet::DropReason;

namespace {

const IpAddress kOwn = *IpAddress::parse("192.0.2.1");
const IpAddress kPeer = *IpAddress::parse("192.0.2.2");
const IpAddress kGroup = *IpAddress::parse("224.0.0.18");

// An IPv4 datagram as a raw socket delivers it: a 20-byte header, then the VRRP message.
std::vector<std::uint8_t> datagram(const Advert& advert, const IpAddress& source,
                                   std::uint8_t ttl = 255) {
  const auto vrrp = packet::encode(advert, source, kGroup);
  const auto total = 20 + vrrp.size();
  std::vector<std::uint8_t> d{0x45, 0, static_cast<std::uint8_t>(total >> 8),
                              static_cast<std::uint8_t>(total & 0xff), 0, 0, 0, 0, ttl, 112, 0, 0};
  d.insert(d.end(), source.bytes().begin(), source.bytes().end());
  d.insert(d.end(), kGroup.bytes().begin(), kGroup.bytes().end());
  d.insert(d.end(), vrrp.begin(), vrrp.end());
  return d;
}

Advert advert(std::uint8_t vrid, std::uint8_t priority = 100) {
  return Advert{3, vrid, priority, Centiseconds(10), {*IpAddress::parse("192.0.2.100")}};
}

struct Fixture {
  AdvertDispatcher dispatcher{"eth0", kOwn};
  std::vector<packet::Decoded> received;
  Fixture() {
    dispatcher.route(51, [this](const packet::Decoded& d) { received.push_back(d); });
  }
};

}  // namespace

TEST_CASE("dispatcher: a valid advert reaches the instance with its VRID, with its source") {
  Fixture f;
  f.dispatcher.receive(datagram(advert(51, 150), kPeer));
  REQUIRE(f.received.size() == 1);
  CHECK(f.received[0].source == kPeer);
  CHECK(f.received[0].advert.priority == 150);
}

TEST_CASE("dispatcher: an advert for a VRID nobody runs is dropped as unknown_vrid") {
  Fixture f;
  f.dispatcher.receive(datagram(advert(52), kPeer));
  CHECK(f.received.empty());
  CHECK(f.dispatcher.drops()[DropReason::UnknownVrid] == 1);
}

TEST_CASE("dispatcher: our own advert is ignored, not counted") {
  Fixture f;
  f.dispatcher.receive(datagram(advert(51), kOwn));
  CHECK(f.received.empty());
  for (auto n : f.dispatcher.drops().by_reason) CHECK(n == 0);
}

TEST_CASE("dispatcher: invalid adverts are counted per reason and never delivered") {
  Fixture f;
  f.dispatcher.receive(datagram(advert(51), kPeer, 254));
  auto bad_checksum = datagram(advert(51), kPeer);
  bad_checksum[20 + 6] ^= 0xff;
  f.dispatcher.receive(bad_checksum);
  f.dispatcher.receive(std::vector<std::uint8_t>{0x45, 0});
  CHECK(f.received.empty());
  CHECK(f.dispatcher.drops()[DropReason::BadTtl] == 1);
  CHECK(f.dispatcher.drops()[DropReason::BadChecksum] == 1);
  CHECK(f.dispatcher.drops()[DropReason::TooShort] == 1);
}

// floatd doctor: adverts heard on the segment, decoded with the real codec, judged against
// the configured instances.
#include <doctest/doctest.h>

#include <vector>

#include "agent/doctor_peers.hpp"
#include "doctor_helpers.hpp"
#include "netlink/vrrp_packet.hpp"

using namespace floatd;
using namespace floatd::doctor;
using doctor_test::contains;
using doctor_test::count;

namespace {

using Buffer = std::vector<std::uint8_t>;
const IpAddress kGroup = *IpAddress::parse("224.0.0.18");

// What a raw socket delivers: a 20-byte IPv4 header (TTL 255, protocol 112) and the message.
Buffer datagram(const Buffer& vrrp, const IpAddress& src, std::uint8_t ttl = 255) {
  const std::size_t total = 20 + vrrp.size();
  Buffer d{0x45, 0, static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total & 0xff),
           0,    0, 0, 0, ttl, 112, 0, 0};
  d.insert(d.end(), src.bytes().begin(), src.bytes().end());
  d.insert(d.end(), kGroup.bytes().begin(), kGroup.bytes().end());
  d.insert(d.end(), vrrp.begin(), vrrp.end());
  return d;
}

Buffer advert(const char* source, std::uint8_t vrid, std::uint8_t priority,
              std::vector<const char*> vips, std::uint8_t ttl = 255) {
  Advert a;
  a.vrid = vrid;
  a.priority = priority;
  a.max_advert_interval = Centiseconds(10);
  for (const char* v : vips) a.addresses.push_back(*IpAddress::parse(v));
  const auto src = *IpAddress::parse(source);
  return datagram(packet::encode(a, src, kGroup), src, ttl);
}

HeardAdvert heard(const Buffer& d) {
  auto h = classify_datagram(d);
  REQUIRE(h);
  return *h;
}

ListenTable listened(std::vector<HeardAdvert> adverts) {
  ListenTable t;
  t["eth0"].duration = std::chrono::seconds(1);
  for (auto& a : adverts) record_heard(t["eth0"].heard, std::move(a));
  return t;
}

const auto kConfig = doctor_test::two_interfaces();  // web: 51 192.0.2.100, db: 52 192.0.2.101

}  // namespace

TEST_CASE("doctor peers: a datagram is classified with the real codec, or peeked at") {
  const auto ok = heard(advert("192.0.2.2", 51, 100, {"192.0.2.100"}));
  CHECK(ok.source == *IpAddress::parse("192.0.2.2"));
  CHECK(ok.vrid == 51);
  CHECK(ok.version == 3);
  REQUIRE(ok.advert);
  CHECK(ok.advert->priority == 100);

  const auto routed = heard(advert("192.0.2.2", 51, 100, {"192.0.2.100"}, 254));
  CHECK_FALSE(routed.advert);
  CHECK(routed.undecodable == "bad_ttl");
  CHECK(routed.vrid == 51);

  Buffer v2 = advert("192.0.2.9", 52, 100, {"192.0.2.101"});
  v2[20] = 0x21;  // version 2, type 1
  const auto old = heard(v2);
  CHECK(old.version == 2);
  CHECK(old.vrid == 52);
  CHECK(old.undecodable == "bad_version");

  CHECK_FALSE(classify_datagram(Buffer(10, 0x45)));
  CHECK_FALSE(classify_datagram(Buffer{0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0}));  // not IPv4
}

TEST_CASE("doctor peers: a peer with our VRID and VIPs is a note, repeated adverts merged") {
  const auto a = heard(advert("192.0.2.2", 51, 100, {"192.0.2.100"}));
  const auto b = heard(advert("192.0.2.2", 51, 90, {"192.0.2.100"}));
  const auto findings = evaluate_peers(kConfig, listened({a, b}));
  CHECK(count(findings, Severity::Error) == 0);
  CHECK(count(findings, Severity::Warning) == 0);
  REQUIRE(count(findings, Severity::Note, "heard a peer") == 1);
  const auto& note = *std::find_if(findings.begin(), findings.end(), [](const Finding& f) {
    return contains(f.problem, "heard a peer");
  });
  CHECK(contains(note.problem, "192.0.2.2 (priority 90, every 100ms; 2 adverts)"));
  // db (vrid 52) heard nobody.
  CHECK(count(findings, Severity::Note, "no adverts for vrid 52") == 1);
}

TEST_CASE("doctor peers: another router on our VRID with other VIPs is an error") {
  const auto findings =
      evaluate_peers(kConfig, listened({heard(advert("192.0.2.3", 51, 200, {"192.0.2.77"}))}));
  REQUIRE(count(findings, Severity::Error) == 1);
  const Finding& f = findings[0];
  CHECK(f.subject == "instance 'web'");
  CHECK(contains(f.problem, "192.0.2.3, advertises vrid 51 on eth0 with VIPs 192.0.2.77"));
  CHECK(contains(f.problem, "192.0.2.100/24"));
  CHECK(contains(f.fix, "/etc/floatd/floatd.toml"));
  // Adverts of VRIDs we do not use are not our business.
  CHECK(count(evaluate_peers(kConfig, listened({heard(advert("192.0.2.3", 99, 200, {"192.0.2.7"}))})),
              Severity::Error) == 0);
}

TEST_CASE("doctor peers: VRRPv2 and malformed adverts on our VRIDs are warnings") {
  Buffer v2 = advert("192.0.2.9", 52, 100, {"192.0.2.101"});
  v2[20] = 0x21;
  auto findings = evaluate_peers(kConfig, listened({heard(v2)}));
  CHECK(count(findings, Severity::Warning, "VRRPv2 speaker, 192.0.2.9, uses vrid 52") == 1);

  findings = evaluate_peers(kConfig,
                            listened({heard(advert("192.0.2.2", 51, 100, {"192.0.2.100"}, 64))}));
  REQUIRE(count(findings, Severity::Warning, "bad_ttl") == 1);
}

TEST_CASE("doctor peers: no listening possible is a note; the record is bounded") {
  ListenTable t;
  t["eth0"].error = "socket(AF_INET, SOCK_RAW, 112): Operation not permitted";
  const auto findings = evaluate_peers(kConfig, t);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Note);
  CHECK(contains(findings[0].problem, "Operation not permitted"));

  std::vector<HeardAdvert> many;
  for (int i = 0; i < 1000; ++i) {
    HeardAdvert h;
    h.source = *IpAddress::from_bytes(Family::V4, std::vector<std::uint8_t>{
                                                      198, 18, static_cast<std::uint8_t>(i / 256),
                                                      static_cast<std::uint8_t>(i % 256)});
    record_heard(many, h);
  }
  CHECK(many.size() == kMaxHeard);
}

// VRRPv3 advert codec: reference vectors, round trips, one targeted mutation per drop reason,
// truncation sweeps and a bounded deterministic mutation loop.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "netlink/vrrp_packet.hpp"

using namespace floatd;
using namespace floatd::packet;

namespace {

using Buffer = std::vector<std::uint8_t>;

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

Buffer from_hex(std::string_view hex) {
  Buffer out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void append(Buffer& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// A deliberately naive RFC 1071 sum, independent of the codec's internet_checksum, so that the
// tests do not check the codec against itself.
std::uint16_t reference_checksum(const Buffer& data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) sum += data[i] << 8 | data[i + 1];
  if (data.size() % 2 != 0) sum += data.back() << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

void write_checksum(Buffer& vrrp, std::uint16_t checksum) {
  vrrp[6] = static_cast<std::uint8_t>(checksum >> 8);
  vrrp[7] = static_cast<std::uint8_t>(checksum & 0xff);
}

// Recomputes the checksum of an IPv4 datagram's VRRP part (IPv4 pseudo-header variant).
void refresh_checksum_v4(Buffer& datagram) {
  const std::size_t header = std::size_t{datagram[0] & 0x0fu} * 4;
  Buffer vrrp(datagram.begin() + static_cast<std::ptrdiff_t>(header), datagram.end());
  write_checksum(vrrp, 0);
  Buffer sum_input(datagram.begin() + 12, datagram.begin() + 20);  // src, dst
  sum_input.insert(sum_input.end(), {0, 112, static_cast<std::uint8_t>(vrrp.size() >> 8),
                                     static_cast<std::uint8_t>(vrrp.size() & 0xff)});
  append(sum_input, vrrp);
  write_checksum(vrrp, reference_checksum(sum_input));
  std::copy(vrrp.begin(), vrrp.end(), datagram.begin() + static_cast<std::ptrdiff_t>(header));
}

void refresh_checksum_v6(Buffer& vrrp, const IpAddress& src, const IpAddress& dst) {
  write_checksum(vrrp, 0);
  Buffer sum_input;
  append(sum_input, src.bytes());
  append(sum_input, dst.bytes());
  sum_input.insert(sum_input.end(), {0, 0, static_cast<std::uint8_t>(vrrp.size() >> 8),
                                     static_cast<std::uint8_t>(vrrp.size() & 0xff), 0, 0, 0, 112});
  append(sum_input, vrrp);
  write_checksum(vrrp, reference_checksum(sum_input));
}

// A 20-byte IPv4 header (no options) in front of `vrrp`, as a raw socket delivers it. The IP
// header checksum stays 0: the kernel verifies it, the codec does not look at it.
Buffer ipv4_datagram(const Buffer& vrrp, const IpAddress& src = ip("192.0.2.1"),
                     const IpAddress& dst = ip("224.0.0.18"), std::uint8_t ttl = 255) {
  const std::size_t total = 20 + vrrp.size();
  Buffer d{0x45, 0, static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total & 0xff),
           0,    0, 0, 0, ttl, 112, 0, 0};
  append(d, src.bytes());
  append(d, dst.bytes());
  append(d, vrrp);
  return d;
}

// "ok" or the drop reason: readable in doctest's failure output.
std::string outcome(const DecodeResult& r) {
  return r.decoded ? "ok" : std::string(to_string(r.reason));
}

bool same(const Decoded& a, const Decoded& b) {
  return a.advert == b.advert && a.source == b.source && a.checksum == b.checksum;
}

Advert sample_advert_v4() {
  Advert a;
  a.vrid = 51;
  a.priority = 150;
  a.max_advert_interval = Centiseconds(100);
  a.addresses = {ip("192.0.2.100"), ip("192.0.2.101")};
  return a;
}

Advert sample_advert_v6() {
  Advert a;
  a.vrid = 7;
  a.priority = 200;
  a.max_advert_interval = Centiseconds(4095);
  a.addresses = {ip("2001:db8::100")};
  return a;
}

const IpAddress kSrc6 = ip("fe80::1");
const IpAddress kDst6 = ip("ff02::12");

Buffer valid_v4() {
  return ipv4_datagram(encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18")));
}

Buffer valid_v6() { return encode(sample_advert_v6(), kSrc6, kDst6); }

// Produced once with Debian's python3-scapy 2.5.0 (its VRRPv3 layer computes the IPv4 checksum
// over the pseudo-header):
//   /usr/bin/python3 -c "from scapy.all import *; from scapy.layers.vrrp import VRRPv3;
//     print(bytes(IP(src='192.0.2.1', dst='224.0.0.18', ttl=255, id=0, flags=0) /
//       VRRPv3(vrid=51, priority=150, adv=100, addrlist=['192.0.2.100','192.0.2.101'])).hex())"
constexpr std::string_view kScapyV4 =
    "4500002400000000ff701956c0000201e0000012"  // IPv4 header, TTL 255, proto 112
    "3133960200641107c0000264c0000265";         // VRRPv3
// Same tool: bytes(IPv6(src='fe80::1', dst='ff02::12', hlim=255) / VRRPv3(vrid=7, priority=200,
//   adv=4095, addrlist=['2001:db8::100']))[40:].hex()
constexpr std::string_view kScapyV6 = "3107c8010fffca1f20010db8000000000000000000000100";

}  // namespace

TEST_CASE("vrrp codec: to_string names every drop reason in snake_case") {
  CHECK(to_string(DropReason::BadTtl) == "bad_ttl");
  CHECK(to_string(DropReason::BadVersion) == "bad_version");
  CHECK(to_string(DropReason::BadType) == "bad_type");
  CHECK(to_string(DropReason::TooShort) == "too_short");
  CHECK(to_string(DropReason::BadLength) == "bad_length");
  CHECK(to_string(DropReason::BadChecksum) == "bad_checksum");
  CHECK(to_string(DropReason::UnknownVrid) == "unknown_vrid");
  CHECK(to_string(DropReason::ZeroInterval) == "zero_interval");
}

TEST_CASE("vrrp codec: internet_checksum matches RFC 1071 and spans odd part boundaries") {
  // RFC 1071 section 3 example: the sum of 0001 f203 f4f5 f6f7 is ddf2, checksum ~ddf2 = 220d.
  const Buffer data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  const std::span<const std::uint8_t> all(data);
  CHECK(internet_checksum({all}) == 0x220d);
  CHECK(internet_checksum({all.first(3), all.subspan(3)}) == 0x220d);
  CHECK(internet_checksum({all.first(1), all.subspan(1, 4), {}, all.subspan(5)}) == 0x220d);
  CHECK(internet_checksum({}) == 0xffff);
  // An odd trailing byte is padded with a zero low byte.
  CHECK(internet_checksum({all.first(7)}) ==
        reference_checksum(Buffer(data.begin(), data.end() - 1)));
}

TEST_CASE("vrrp codec: IPv4 reference vector laid out from RFC 5798 section 5") {
  // Built by hand from the RFC layout, then checked against the scapy capture.
  Buffer vrrp{
      0x31,        // version 3 | type 1 (ADVERTISEMENT)
      51,          // VRID
      150,         // priority
      2,           // Count IPv4 Addr
      0x00, 0x64,  // reserved 0 | Max Adver Int 100 cs
      0x00, 0x00,  // checksum, filled below
      192, 0, 2, 100, 192, 0, 2, 101,
  };
  // IPv4 pseudo-header: src 192.0.2.1, dst 224.0.0.18, zero, protocol 112, VRRP length 16.
  Buffer sum_input{192, 0, 2, 1, 224, 0, 0, 18, 0, 112, 0, 16};
  append(sum_input, vrrp);
  write_checksum(vrrp, reference_checksum(sum_input));
  CHECK(vrrp[6] == 0x11);
  CHECK(vrrp[7] == 0x07);

  const Buffer scapy = from_hex(kScapyV4);
  REQUIRE(scapy.size() == 36);
  CHECK(Buffer(scapy.begin() + 20, scapy.end()) == vrrp);
  CHECK(encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18")) == vrrp);
}

TEST_CASE("vrrp codec: the scapy IPv4 datagram decodes with the pseudo-header variant") {
  const auto r = decode_ipv4(from_hex(kScapyV4));
  REQUIRE(outcome(r) == "ok");
  CHECK(r.decoded->advert == sample_advert_v4());
  CHECK(r.decoded->advert.version == 3);
  CHECK(r.decoded->source == ip("192.0.2.1"));
  CHECK(r.decoded->checksum == ChecksumVariant::PseudoHeader);
}

TEST_CASE("vrrp codec: the scapy IPv6 payload decodes and encode reproduces it") {
  const Buffer scapy = from_hex(kScapyV6);
  const auto r = decode_ipv6(scapy, 255, kSrc6, kDst6);
  REQUIRE(outcome(r) == "ok");
  CHECK(r.decoded->advert == sample_advert_v6());
  CHECK(r.decoded->source == kSrc6);
  CHECK(r.decoded->checksum == ChecksumVariant::PseudoHeader);
  CHECK(encode(sample_advert_v6(), kSrc6, kDst6) == scapy);
}

TEST_CASE("vrrp codec: IPv4 round trip with both checksum variants") {
  const IpAddress src = ip("198.18.0.7");
  const IpAddress dst = ip("198.18.0.9");  // unicast peer
  Advert advert = sample_advert_v4();
  advert.priority = 255;
  advert.max_advert_interval = Centiseconds(1);
  for (int i = 0; i < 40; ++i) {
    advert.addresses.push_back(ip("198.18.1." + std::to_string(i)));
  }
  for (const auto variant : {ChecksumVariant::PseudoHeader, ChecksumVariant::NoPseudoHeader}) {
    const auto r = decode_ipv4(ipv4_datagram(encode(advert, src, dst, variant), src, dst));
    REQUIRE(outcome(r) == "ok");
    CHECK(r.decoded->advert == advert);
    CHECK(r.decoded->source == src);
    CHECK(r.decoded->checksum == variant);
  }
}

TEST_CASE("vrrp codec: an instance with 1000 VIPs advertises the first 255, still a valid advert") {
  const IpAddress src = ip("198.18.0.7");
  const IpAddress dst = ip("224.0.0.18");
  Advert advert = sample_advert_v4();
  advert.addresses.clear();
  for (int i = 0; i < 1000; ++i)
    advert.addresses.push_back(ip(fmt::format("198.18.{}.{}", 1 + i / 250, i % 250)));
  const auto r = decode_ipv4(ipv4_datagram(encode(advert, src, dst), src, dst));
  REQUIRE(outcome(r) == "ok");  // a wrapped count (1000 % 256) would be dropped as bad_length
  REQUIRE(r.decoded->advert.addresses.size() == kMaxAdvertAddresses);
  CHECK(r.decoded->advert.addresses.front() == advert.addresses.front());
  CHECK(r.decoded->advert.addresses.back() == advert.addresses[kMaxAdvertAddresses - 1]);
}

TEST_CASE("vrrp codec: IPv6 round trip with several addresses") {
  Advert advert = sample_advert_v6();
  advert.priority = 0;  // a resigning master
  advert.addresses.push_back(ip("2001:db8::200"));
  advert.addresses.push_back(ip("fe80::abcd"));
  const IpAddress src = ip("fe80::1234:5678");
  const auto r = decode_ipv6(encode(advert, src, kDst6), 255, src, kDst6);
  REQUIRE(outcome(r) == "ok");
  CHECK(r.decoded->advert == advert);
  CHECK(r.decoded->source == src);
}

TEST_CASE("vrrp codec: IPv4 accepts a checksum without pseudo-header and reports it") {
  Buffer vrrp = encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18"));
  write_checksum(vrrp, 0);
  write_checksum(vrrp, reference_checksum(vrrp));  // RFC 9568: the message alone
  const auto r = decode_ipv4(ipv4_datagram(vrrp));
  REQUIRE(outcome(r) == "ok");
  CHECK(r.decoded->checksum == ChecksumVariant::NoPseudoHeader);
  CHECK(r.decoded->advert == sample_advert_v4());
  // And the codec's own no-pseudo-header encoding is the same bytes.
  CHECK(encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18"),
               ChecksumVariant::NoPseudoHeader) == vrrp);
}

TEST_CASE("vrrp codec: when both IPv4 variants match, the pseudo-header one is reported") {
  // c000+0201 (src) + c612+776b (dst) + 0070 (protocol) + 0010 (length 16) folds to ffff, the
  // one's complement zero: the pseudo-header then does not change the checksum at all.
  const IpAddress src = ip("192.0.2.1");
  const IpAddress dst = ip("198.18.119.107");
  const Buffer with = encode(sample_advert_v4(), src, dst, ChecksumVariant::PseudoHeader);
  REQUIRE(with == encode(sample_advert_v4(), src, dst, ChecksumVariant::NoPseudoHeader));
  const auto r = decode_ipv4(ipv4_datagram(with, src, dst));
  REQUIRE(outcome(r) == "ok");
  CHECK(r.decoded->checksum == ChecksumVariant::PseudoHeader);
}

TEST_CASE("vrrp codec: the pseudo-header checksum depends on the IP addresses") {
  // Encoded for one source, received from another: the pseudo-header sum no longer matches.
  const Buffer vrrp = encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18"));
  CHECK(outcome(decode_ipv4(ipv4_datagram(vrrp, ip("192.0.2.2")))) == "bad_checksum");
  CHECK(outcome(decode_ipv4(ipv4_datagram(vrrp, ip("192.0.2.1"), ip("192.0.2.9")))) ==
        "bad_checksum");
  CHECK(outcome(decode_ipv6(valid_v6(), 255, ip("fe80::2"), kDst6)) == "bad_checksum");
}

TEST_CASE("vrrp codec: IPv6 rejects a checksum computed without the pseudo-header") {
  Buffer vrrp = valid_v6();
  write_checksum(vrrp, 0);
  write_checksum(vrrp, reference_checksum(vrrp));
  CHECK(outcome(decode_ipv6(vrrp, 255, kSrc6, kDst6)) == "bad_checksum");
}

TEST_CASE("vrrp codec: TTL or hop limit other than 255 is bad_ttl") {
  Buffer d = valid_v4();
  REQUIRE(outcome(decode_ipv4(d)) == "ok");
  for (const std::uint8_t ttl : {0, 1, 64, 254}) {
    d[8] = ttl;
    CHECK(outcome(decode_ipv4(d)) == "bad_ttl");
  }
  const Buffer v6 = valid_v6();
  for (const int hop_limit : {-1, 0, 254, 256}) {
    CHECK(outcome(decode_ipv6(v6, hop_limit, kSrc6, kDst6)) == "bad_ttl");
  }
}

TEST_CASE("vrrp codec: version 2 is bad_version even with a valid checksum") {
  Buffer d = valid_v4();
  d[20] = 0x21;
  refresh_checksum_v4(d);
  CHECK(outcome(decode_ipv4(d)) == "bad_version");
  Buffer v6 = valid_v6();
  v6[0] = 0x41;
  refresh_checksum_v6(v6, kSrc6, kDst6);
  CHECK(outcome(decode_ipv6(v6, 255, kSrc6, kDst6)) == "bad_version");
}

TEST_CASE("vrrp codec: type other than ADVERTISEMENT is bad_type") {
  for (const std::uint8_t type : {0, 2, 15}) {
    Buffer d = valid_v4();
    d[20] = static_cast<std::uint8_t>(0x30 | type);
    refresh_checksum_v4(d);
    CHECK(outcome(decode_ipv4(d)) == "bad_type");
    Buffer v6 = valid_v6();
    v6[0] = static_cast<std::uint8_t>(0x30 | type);
    refresh_checksum_v6(v6, kSrc6, kDst6);
    CHECK(outcome(decode_ipv6(v6, 255, kSrc6, kDst6)) == "bad_type");
  }
}

TEST_CASE("vrrp codec: a datagram cut short is too_short") {
  const Buffer d = valid_v4();
  CHECK(outcome(decode_ipv4({})) == "too_short");
  CHECK(outcome(decode_ipv4(std::span(d).first(19))) == "too_short");  // no full IP header
  // IP total length says 36 but the buffer holds less.
  CHECK(outcome(decode_ipv4(std::span(d).first(35))) == "too_short");
  // Consistent IP total length, but only 7 bytes of VRRP.
  Buffer short_vrrp(d.begin(), d.begin() + 27);
  short_vrrp[3] = 27;
  CHECK(outcome(decode_ipv4(short_vrrp)) == "too_short");
  // too_short wins over bad_ttl: the structure is checked before any field is trusted.
  short_vrrp[8] = 64;
  CHECK(outcome(decode_ipv4(short_vrrp)) == "too_short");
  const Buffer v6 = valid_v6();
  CHECK(outcome(decode_ipv6(std::span(v6).first(7), 255, kSrc6, kDst6)) == "too_short");
}

TEST_CASE("vrrp codec: address count inconsistent with the length is bad_length") {
  for (const std::uint8_t count : {0, 1, 3, 255}) {
    Buffer d = valid_v4();
    d[23] = count;
    refresh_checksum_v4(d);
    CHECK(outcome(decode_ipv4(d)) == "bad_length");
  }
  // A bare 8-byte header with count 0 is self-consistent but carries no address (RFC 5798
  // section 5.2.5 requires at least one).
  Buffer empty = encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18"));
  empty.resize(8);
  empty[3] = 0;
  Buffer bare = ipv4_datagram(empty);
  refresh_checksum_v4(bare);
  CHECK(outcome(decode_ipv4(bare)) == "bad_length");
  Buffer bare6 = valid_v6();
  bare6.resize(8);
  bare6[3] = 0;
  refresh_checksum_v6(bare6, kSrc6, kDst6);
  CHECK(outcome(decode_ipv6(bare6, 255, kSrc6, kDst6)) == "bad_length");
  // Two stray bytes after the addresses, covered by the IP total length.
  Buffer vrrp = encode(sample_advert_v4(), ip("192.0.2.1"), ip("224.0.0.18"));
  vrrp.insert(vrrp.end(), {0, 0});
  Buffer d = ipv4_datagram(vrrp);
  refresh_checksum_v4(d);
  CHECK(outcome(decode_ipv4(d)) == "bad_length");
  // An IPv6 advert counts 16-byte addresses: 4 IPv4-sized ones do not fit the count of 1.
  Buffer v6 = valid_v6();
  v6[3] = 4;
  refresh_checksum_v6(v6, kSrc6, kDst6);
  CHECK(outcome(decode_ipv6(v6, 255, kSrc6, kDst6)) == "bad_length");
}

TEST_CASE("vrrp codec: any flipped bit in the message is bad_checksum") {
  const Buffer good = valid_v4();
  // Every bit of the checksum itself, of the priority and of an address.
  for (const std::size_t at : {26, 27, 22, 28, 35}) {
    for (int bit = 0; bit < 8; ++bit) {
      Buffer d = good;
      d[at] ^= static_cast<std::uint8_t>(1 << bit);
      CHECK(outcome(decode_ipv4(d)) == "bad_checksum");
    }
  }
  Buffer v6 = valid_v6();
  v6[7] ^= 0x01;
  CHECK(outcome(decode_ipv6(v6, 255, kSrc6, kDst6)) == "bad_checksum");
}

TEST_CASE("vrrp codec: a Max Advertise Interval of 0 is zero_interval") {
  Buffer d = valid_v4();
  d[24] = 0;
  d[25] = 0;
  refresh_checksum_v4(d);
  CHECK(outcome(decode_ipv4(d)) == "zero_interval");
  // Only the reserved bits set: the interval is still 0.
  d[24] = 0xf0;
  refresh_checksum_v4(d);
  CHECK(outcome(decode_ipv4(d)) == "zero_interval");
  Buffer v6 = valid_v6();
  v6[4] = 0;
  v6[5] = 0;
  refresh_checksum_v6(v6, kSrc6, kDst6);
  CHECK(outcome(decode_ipv6(v6, 255, kSrc6, kDst6)) == "zero_interval");
}

TEST_CASE("vrrp codec: reserved bits are ignored on receive and sent as zero") {
  Buffer d = valid_v4();
  d[24] |= 0xf0;
  refresh_checksum_v4(d);
  const auto r = decode_ipv4(d);
  REQUIRE(outcome(r) == "ok");
  CHECK(r.decoded->advert.max_advert_interval == Centiseconds(100));

  Advert advert = sample_advert_v4();
  advert.max_advert_interval = Centiseconds(0x1abc);  // breaks the caller's promise: masked
  const Buffer vrrp = encode(advert, ip("192.0.2.1"), ip("224.0.0.18"));
  CHECK(vrrp[4] == 0x0a);
  CHECK(vrrp[5] == 0xbc);
  advert.max_advert_interval = Centiseconds(4095);
  const Buffer max = encode(advert, ip("192.0.2.1"), ip("224.0.0.18"));
  CHECK(max[4] == 0x0f);
  CHECK(max[5] == 0xff);
}

TEST_CASE("vrrp codec: IPv4 header checks (options, IHL, total length, protocol)") {
  const Buffer good = valid_v4();

  SUBCASE("options: IHL 6 moves the VRRP message") {
    Buffer d(good.begin(), good.begin() + 20);
    d.insert(d.end(), {1, 1, 1, 0});  // NOP NOP NOP EOL
    d.insert(d.end(), good.begin() + 20, good.end());
    d[0] = 0x46;
    d[3] = static_cast<std::uint8_t>(d.size());
    const auto r = decode_ipv4(d);
    REQUIRE(outcome(r) == "ok");
    CHECK(r.decoded->advert == sample_advert_v4());
  }
  SUBCASE("bytes beyond the IP total length are ignored") {
    Buffer d = good;
    d.insert(d.end(), 10, 0xee);  // e.g. Ethernet padding
    CHECK(outcome(decode_ipv4(d)) == "ok");
  }
  SUBCASE("IHL below 5 is bad_length") {
    for (const std::uint8_t first : {0x40, 0x44}) {
      Buffer d = good;
      d[0] = first;
      CHECK(outcome(decode_ipv4(d)) == "bad_length");
    }
  }
  SUBCASE("IHL pointing past the buffer is too_short") {
    Buffer d = good;
    d[0] = 0x4f;  // 60-byte header in a 36-byte buffer
    CHECK(outcome(decode_ipv4(d)) == "too_short");
  }
  SUBCASE("total length shorter than the IP header is bad_length") {
    Buffer d = good;
    d[2] = 0;
    d[3] = 19;
    CHECK(outcome(decode_ipv4(d)) == "bad_length");
  }
  SUBCASE("total length larger than the buffer is too_short") {
    Buffer d = good;
    d[3] = 37;
    CHECK(outcome(decode_ipv4(d)) == "too_short");
    d[2] = 0xff;
    CHECK(outcome(decode_ipv4(d)) == "too_short");
  }
  SUBCASE("not IPv4 or not protocol 112 is bad_length") {
    Buffer d = good;
    d[0] = 0x65;
    CHECK(outcome(decode_ipv4(d)) == "bad_length");
    d = good;
    d[9] = 17;
    CHECK(outcome(decode_ipv4(d)) == "bad_length");
  }
}

TEST_CASE("vrrp codec: every truncation of a valid packet is dropped without a crash") {
  const Buffer good = valid_v4();
  REQUIRE(outcome(decode_ipv4(good)) == "ok");
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    // As cut by a short read: the IP total length still claims the full datagram.
    const Buffer cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(outcome(decode_ipv4(cut)) == "too_short");
    // As a consistent but short datagram, so the VRRP length checks are reached too.
    if (n >= 4) {
      Buffer consistent = cut;
      consistent[2] = 0;
      consistent[3] = static_cast<std::uint8_t>(n);
      const auto r = decode_ipv4(consistent);
      CHECK_FALSE(r.decoded);
      CHECK(outcome(r) == (n < 28 ? "too_short" : "bad_length"));
    }
  }
  const Buffer v6 = valid_v6();
  for (std::size_t n = 0; n < v6.size(); ++n) {
    CAPTURE(n);
    const auto r = decode_ipv6(std::span(v6).first(n), 255, kSrc6, kDst6);
    CHECK(outcome(r) == (n < 8 ? "too_short" : "bad_length"));
  }
}

namespace {

// Re-encoding a decoded advert and decoding that again must give the same result.
void check_reencodes_v4(const Decoded& first, const Buffer& datagram) {
  const IpAddress dst = *IpAddress::from_bytes(Family::V4, std::span(datagram).subspan(16, 4));
  const Buffer again = ipv4_datagram(encode(first.advert, first.source, dst, first.checksum),
                                     first.source, dst);
  const auto second = decode_ipv4(again);
  REQUIRE(second.decoded);
  CHECK(same(first, *second.decoded));
}

void check_invariants(const Decoded& d, Family family) {
  CHECK(d.advert.version == 3);
  CHECK(d.advert.max_advert_interval >= Centiseconds(1));
  CHECK(d.advert.max_advert_interval <= Centiseconds(4095));
  CHECK_FALSE(d.advert.addresses.empty());
  CHECK(d.advert.addresses.size() <= 255);
  for (const auto& a : d.advert.addresses) CHECK(a.family() == family);
}

}  // namespace

TEST_CASE("vrrp codec: 20000 deterministic random mutations never crash and stay consistent") {
  std::mt19937 rng(5798);  // fixed seed; raw mt19937 output is the same on every platform
  const Buffer base4 = valid_v4();
  const Buffer base6 = valid_v6();
  std::set<std::string> outcomes;
  int decoded = 0;

  for (int iteration = 0; iteration < 20000; ++iteration) {
    const bool v6 = iteration % 2 == 1;
    Buffer data = v6 ? base6 : base4;
    const unsigned flips = 1 + rng() % 4;
    for (unsigned i = 0; i < flips; ++i) {
      data[rng() % data.size()] = static_cast<std::uint8_t>(rng());
    }
    switch (rng() % 4) {
      case 0: data.resize(rng() % (data.size() + 1)); break;       // truncate
      case 1: data.resize(data.size() + rng() % 40, 0x5a); break;  // grow
      default: break;
    }
    // Half the time fix the checksum up, so the mutation reaches the checks behind it.
    const bool fix = rng() % 2 == 0;
    const int hop_limit = rng() % 8 == 0 ? static_cast<int>(rng() % 256) : 255;

    DecodeResult r;
    if (v6) {
      if (fix && data.size() >= 8) refresh_checksum_v6(data, kSrc6, kDst6);
      r = decode_ipv6(data, hop_limit, kSrc6, kDst6);
      const auto repeat = decode_ipv6(data, hop_limit, kSrc6, kDst6);
      REQUIRE(outcome(r) == outcome(repeat));
      if (r.decoded) {
        check_invariants(*r.decoded, Family::V6);
        const auto again = decode_ipv6(encode(r.decoded->advert, kSrc6, kDst6), 255, kSrc6, kDst6);
        REQUIRE(again.decoded);
        CHECK(same(*r.decoded, *again.decoded));
      }
    } else {
      if (fix && data.size() >= 20 && (data[0] & 0x0f) >= 5 &&
          std::size_t{data[0] & 0x0fu} * 4 + 8 <= data.size()) {
        refresh_checksum_v4(data);
      }
      r = decode_ipv4(data);
      const auto repeat = decode_ipv4(data);
      REQUIRE(outcome(r) == outcome(repeat));
      if (r.decoded) {
        check_invariants(*r.decoded, Family::V4);
        CHECK(r.decoded->source.bytes()[0] == data[12]);
        check_reencodes_v4(*r.decoded, data);
      }
    }
    if (r.decoded) {
      ++decoded;
    } else {
      CHECK(r.reason != DropReason::UnknownVrid);  // only the receiver says that
    }
    outcomes.insert(outcome(r));
  }
  // The loop is only worth something if it reached both the success path and most reasons.
  CHECK(decoded > 100);
  CHECK(outcomes.size() >= 7);
}

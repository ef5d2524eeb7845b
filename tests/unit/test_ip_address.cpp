// IpAddress / IpPrefix: parsing, byte conversion, printing, and the order the election's
// "higher primary address wins" tie-break relies on.
#include <doctest/doctest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/ip_address.hpp"

using floatd::Family;
using floatd::IpAddress;
using floatd::IpPrefix;

namespace {

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

std::vector<std::uint8_t> bytes_of(const IpAddress& a) {
  return {a.bytes().begin(), a.bytes().end()};
}

}  // namespace

TEST_CASE("ip address: parse IPv4 dotted quad") {
  const auto a = IpAddress::parse("192.0.2.1");
  REQUIRE(a);
  CHECK(a->family() == Family::V4);
  CHECK(a->size() == 4);
  CHECK(bytes_of(*a) == std::vector<std::uint8_t>{192, 0, 2, 1});
  CHECK(bytes_of(ip("255.255.255.255")) == std::vector<std::uint8_t>{255, 255, 255, 255});
}

TEST_CASE("ip address: parse IPv6 in RFC 4291 forms") {
  const auto a = IpAddress::parse("2001:db8::1");
  REQUIRE(a);
  CHECK(a->family() == Family::V6);
  CHECK(a->size() == 16);
  CHECK(bytes_of(*a) == std::vector<std::uint8_t>{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                  0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(ip("2001:0db8:0000:0000:0000:0000:0000:0001") == *a);  // full form, same address
  CHECK(ip("2001:DB8::1") == *a);                              // hex digits are case-blind
  CHECK(bytes_of(ip("::")) == std::vector<std::uint8_t>(16, 0));
  // An IPv4-mapped address is an IPv6 address.
  CHECK(ip("::ffff:192.0.2.1").family() == Family::V6);
}

TEST_CASE("ip address: invalid text is rejected") {
  for (const std::string_view bad :
       {"", " ", "abc", "1.2.3", "1.2.3.4.5", "256.0.0.1", "192.0.2.1 ", " 192.0.2.1",
        "192.0.2.-1", "192.0.2.1/24", "2001:db8:::1", "2001:db8::1::2", "gggg::1",
        "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", ":"}) {
    CAPTURE(bad);
    CHECK_FALSE(IpAddress::parse(bad));
  }
}

TEST_CASE("ip address: from_bytes checks the size for the family") {
  const std::vector<std::uint8_t> four{198, 18, 0, 1};
  const std::vector<std::uint8_t> sixteen(16, 0xab);
  const auto v4 = IpAddress::from_bytes(Family::V4, four);
  REQUIRE(v4);
  CHECK(*v4 == ip("198.18.0.1"));
  const auto v6 = IpAddress::from_bytes(Family::V6, sixteen);
  REQUIRE(v6);
  CHECK(bytes_of(*v6) == sixteen);

  CHECK_FALSE(IpAddress::from_bytes(Family::V4, {}));
  CHECK_FALSE(IpAddress::from_bytes(Family::V4, std::span(four).first(3)));
  CHECK_FALSE(IpAddress::from_bytes(Family::V4, std::vector<std::uint8_t>(5, 1)));
  CHECK_FALSE(IpAddress::from_bytes(Family::V4, sixteen));
  CHECK_FALSE(IpAddress::from_bytes(Family::V6, four));
  CHECK_FALSE(IpAddress::from_bytes(Family::V6, std::span(sixteen).first(15)));
  CHECK_FALSE(IpAddress::from_bytes(Family::V6, std::vector<std::uint8_t>(17, 1)));
}

TEST_CASE("ip address: to_string prints canonical text") {
  CHECK(IpAddress().to_string() == "0.0.0.0");
  CHECK(IpAddress().family() == Family::V4);
  CHECK(ip("192.0.2.100").to_string() == "192.0.2.100");
  CHECK(ip("2001:0DB8:0:0:0:0:0:00A0").to_string() == "2001:db8::a0");  // RFC 5952 form
  CHECK(ip("ff02::12").to_string() == "ff02::12");
  CHECK(ip("::").to_string() == "::");
}

TEST_CASE("ip address: order is numeric within a family, IPv4 before IPv6") {
  // Numeric, not textual: "192.0.2.10" sorts before "192.0.2.9" as a string.
  CHECK(ip("192.0.2.9") < ip("192.0.2.10"));
  CHECK(ip("10.255.255.255") < ip("192.0.2.1"));
  CHECK(ip("192.0.2.1") < ip("192.0.3.0"));
  CHECK(ip("192.0.2.1") == ip("192.0.2.1"));
  CHECK_FALSE(ip("192.0.2.1") < ip("192.0.2.1"));
  CHECK(ip("2001:db8::ffff") < ip("2001:db8::1:0"));
  CHECK(ip("fe80::1") < ip("fe80::2"));
  CHECK(ip("255.255.255.255") < ip("::"));
  CHECK(ip("::ffff:192.0.2.1") != ip("192.0.2.1"));
}

TEST_CASE("ip prefix: parse address/length, bare address is a host prefix") {
  const auto v4 = IpPrefix::parse("192.0.2.10/24");
  REQUIRE(v4);
  CHECK(v4->address == ip("192.0.2.10"));
  CHECK(v4->length == 24);
  CHECK(v4->to_string() == "192.0.2.10/24");

  const auto v6 = IpPrefix::parse("2001:db8::1/64");
  REQUIRE(v6);
  CHECK(v6->address == ip("2001:db8::1"));
  CHECK(v6->length == 64);
  CHECK(v6->to_string() == "2001:db8::1/64");

  CHECK(IpPrefix::parse("192.0.2.1")->length == 32);
  CHECK(IpPrefix::parse("2001:db8::1")->length == 128);
  CHECK(IpPrefix::parse("0.0.0.0/0")->length == 0);
  CHECK(IpPrefix::parse("192.0.2.1/32")->length == 32);
  CHECK(IpPrefix::parse("::/0")->length == 0);
  CHECK(IpPrefix::parse("2001:db8::/128")->length == 128);
}

TEST_CASE("ip prefix: bad lengths and malformed text are rejected") {
  for (const std::string_view bad :
       {"", "/", "/x", "/24", "192.0.2.1/", "192.0.2.1/x", "192.0.2.1/33", "192.0.2.1/-1",
        "192.0.2.1/+24", "192.0.2.1/24x", "192.0.2.1/24/8", "192.0.2.1/ 24",
        "192.0.2.1/99999999999999999999", "2001:db8::/129", "2001:db8::/", "300.0.0.1/8",
        "web/24"}) {
    CAPTURE(bad);
    CHECK_FALSE(IpPrefix::parse(bad));
  }
}

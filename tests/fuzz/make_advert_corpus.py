#!/usr/bin/python3
"""Writes the seed corpus of fuzz_advert_decoder into corpus/advert/ (next to this script).

Valid VRRPv3 adverts laid out from RFC 5798 section 5, checksummed here independently of the
C++ codec. IPv4 seeds are whole datagrams; IPv6 seeds are the hop limit byte followed by the
VRRP payload, checksummed for fe80::1 -> ff02::12 (what the fuzz target assumes).
Usage: tests/fuzz/make_advert_corpus.py
"""
import ipaddress
import pathlib
import struct

VRRP_PROTOCOL = 112


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def vrrp(vrid, priority, interval_cs, addresses, pseudo_header):
    packed = b"".join(ipaddress.ip_address(a).packed for a in addresses)
    body = struct.pack("!BBBBHH", 0x31, vrid, priority, len(addresses), interval_cs, 0) + packed
    return body[:6] + struct.pack("!H", checksum(pseudo_header(len(body)) + body)) + body[8:]


def ipv4(src, dst, vrid, priority, interval_cs, addresses, with_pseudo=True, options=b""):
    s, d = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    pseudo = (lambda n: s + d + struct.pack("!BBH", 0, VRRP_PROTOCOL, n)) if with_pseudo else (
        lambda n: b"")
    message = vrrp(vrid, priority, interval_cs, addresses, pseudo)
    ihl = 5 + len(options) // 4
    total = ihl * 4 + len(message)
    header = struct.pack("!BBHHHBBH", 0x40 | ihl, 0, total, 0, 0, 255, VRRP_PROTOCOL, 0)
    return header + s + d + options + message


def ipv6(vrid, priority, interval_cs, addresses):
    s = ipaddress.IPv6Address("fe80::1").packed
    d = ipaddress.IPv6Address("ff02::12").packed
    pseudo = lambda n: s + d + struct.pack("!I3xB", n, VRRP_PROTOCOL)
    return bytes([255]) + vrrp(vrid, priority, interval_cs, addresses, pseudo)


SEEDS = {
    "v4_multicast_pseudo": ipv4("192.0.2.1", "224.0.0.18", 51, 150, 100, ["192.0.2.100"]),
    "v4_unicast_no_pseudo": ipv4("198.18.0.7", "198.18.0.9", 7, 100, 4095,
                                 ["198.18.1.1", "198.18.1.2", "198.18.1.3"], with_pseudo=False),
    "v4_options_resign": ipv4("192.0.2.2", "224.0.0.18", 255, 0, 1, ["192.0.2.100", "192.0.2.101"],
                              options=b"\x01\x01\x01\x00"),
    "v6_multicast": ipv6(51, 150, 100, ["2001:db8::100"]),
    "v6_two_addresses": ipv6(200, 255, 25, ["2001:db8::1", "fe80::abcd"]),
}


def main():
    out = pathlib.Path(__file__).resolve().parent / "corpus" / "advert"
    out.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Send crafted VRRP advertisements on an interface (run inside a network namespace).

Used by tests/e2e/malformed_adverts.sh. Run it with /usr/bin/python3 (Debian's scapy).

  inject_advert.py --iface eth0 --src 192.0.2.50 --vrid 51 --priority 254 \
      --vip 192.0.2.100 --kind KIND[,KIND...] [--interval 0.1] [--duration 2]

Each kind is sent every --interval seconds for --duration seconds, one kind after the
other; on stdout (line-buffered) "<HH:MM:SS.mmm> begin KIND" before and "... end KIND
sent=N" after each (wall-clock time, as in floatd's log), so a caller can tell which kind was on the wire at a given moment.

Kinds (everything else is a valid VRRPv3 IPv4 advert, checksum over the pseudo-header):
  good          a correct advert
  ttl           IP TTL 254 instead of 255
  checksum      VRRP checksum off by one
  truncated     VRRP payload cut in the middle of the address list (checksum recomputed)
  count         address count says 3 but only one address follows (checksum recomputed)
  version2      a VRRPv2 advert (version 2, auth fields, checksum without pseudo-header)
  zero-interval max advert interval 0 (checksum recomputed)

The frame is sent at layer 2 with Ether(src=<the interface's MAC>): a Linux bridge drops
frames from the all-zero MAC that scapy would otherwise use.
"""
import argparse
import datetime
import signal
import socket
import struct
import sys
import time

# Only the layers we need: `scapy.all` takes twice as long to import.
from scapy.arch import get_if_hwaddr
from scapy.config import conf
from scapy.layers.inet import IP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

VRRP_PROTO = 112
VRRP_GROUP = "224.0.0.18"
VRRP_MAC = "01:00:5e:00:00:12"


def inet_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_checksum(vrrp: bytes, src: str, pseudo: bool) -> bytes:
    body = vrrp[:6] + b"\0\0" + vrrp[8:]
    if pseudo:
        ph = socket.inet_aton(src) + socket.inet_aton(VRRP_GROUP) + struct.pack("!BBH", 0, VRRP_PROTO, len(body))
        ck = inet_checksum(ph + body)
    else:
        ck = inet_checksum(body)
    return vrrp[:6] + struct.pack("!H", ck) + vrrp[8:]


def v3_advert(vrid: int, priority: int, interval_cs: int, vips: list[str], count=None) -> bytes:
    addrs = b"".join(socket.inet_aton(v) for v in vips)
    n = len(vips) if count is None else count
    return struct.pack("!BBBBHH", 0x31, vrid, priority, n, interval_cs & 0x0FFF, 0) + addrs


def build(kind: str, a) -> tuple[bytes, int]:
    """Returns (VRRP payload, IP TTL)."""
    interval_cs = max(1, round(a.interval * 100))
    ttl = 255
    if kind == "version2":
        addrs = b"".join(socket.inet_aton(v) for v in a.vip)
        vrrp = struct.pack("!BBBBBBH", 0x21, a.vrid, a.priority, len(a.vip), 0, 1, 0) + addrs + b"\0" * 8
        return with_checksum(vrrp, a.src, pseudo=False), ttl
    if kind == "count":
        return with_checksum(v3_advert(a.vrid, a.priority, interval_cs, a.vip, count=3), a.src, True), ttl
    if kind == "zero-interval":
        return with_checksum(v3_advert(a.vrid, a.priority, 0, a.vip), a.src, True), ttl
    vrrp = with_checksum(v3_advert(a.vrid, a.priority, interval_cs, a.vip), a.src, True)
    if kind == "good":
        return vrrp, ttl
    if kind == "ttl":
        return vrrp, 254
    if kind == "checksum":
        ck = struct.unpack("!H", vrrp[6:8])[0]
        return vrrp[:6] + struct.pack("!H", (ck + 1) & 0xFFFF) + vrrp[8:], ttl
    if kind == "truncated":
        return with_checksum(vrrp[:10], a.src, True), ttl  # header + half an address
    raise SystemExit(f"unknown kind {kind}")


def stamp() -> str:
    return datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3]


def on_sigterm(_signo, _frame):
    raise KeyboardInterrupt


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--iface", default="eth0")
    p.add_argument("--src", required=True)
    p.add_argument("--vrid", type=int, default=51)
    p.add_argument("--priority", type=int, default=254)
    p.add_argument("--vip", action="append", required=True)
    p.add_argument("--kind", default="good", help="comma-separated kinds, sent one after the other")
    p.add_argument("--interval", type=float, default=0.1, help="seconds between adverts (and the advertised interval)")
    p.add_argument("--duration", type=float, default=2.0, help="seconds to send each kind (bounded, max 60)")
    a = p.parse_args()
    if not 0 < a.duration <= 60:
        raise SystemExit("--duration must be in (0, 60]")
    conf.verb = 0
    signal.signal(signal.SIGTERM, on_sigterm)
    kinds = a.kind.split(",")
    frames = []
    for kind in kinds:
        payload, ttl = build(kind, a)
        frame = Ether(src=get_if_hwaddr(a.iface), dst=VRRP_MAC) / IP(
            src=a.src, dst=VRRP_GROUP, ttl=ttl, proto=VRRP_PROTO) / Raw(payload)
        frames.append((kind, ttl, payload, bytes(frame)))
    sock = conf.L2socket(iface=a.iface)
    try:
        for kind, ttl, payload, raw in frames:
            print(f"{stamp()} begin {kind} ttl={ttl} vrrp={payload.hex()}", flush=True)
            sent = 0
            end = time.monotonic() + a.duration
            while time.monotonic() < end:
                sock.send(raw)
                sent += 1
                time.sleep(a.interval)
            print(f"{stamp()} end {kind} sent={sent}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

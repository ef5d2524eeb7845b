#!/usr/bin/env bash
# Interop: floatd (fd) and Debian's keepalived 2.2.x (ka) form one VRRPv3 IPv4 virtual
# router (multicast 224.0.0.18, 100 ms adverts), in both priority orders: floatd 150 /
# keepalived 100, then keepalived 150 / floatd 100. In each order:
#   settle:        exactly one MASTER, which alone holds the VIP, the other in BACKUP
#                  (sampled for 1 s)
#   link loss:     the master's link is cut; the backup takes over (client outage <
#                  E2E_MAX_OUTAGE_MS, default 1000 ms)
#   preempt back:  the link comes back; the higher priority preempts: one holder again
#   graceful stop: SIGTERM to the master (priority-0 advert): the other takes over (outage
#                  < E2E_MAX_STOP_OUTAGE_MS, default 300 ms, as graceful_stop.sh)
#   restart:       the stopped master starts again and preempts back: one holder again
# Checksums: a tcpdump in the client namespace records every advert; each sender's IPv4
# VRRPv3 checksum variant (pseudo-header as RFC 5798 reads / none as RFC 9568) is
# reported, and neither side may drop the other's adverts for a bad checksum (floatd's
# floatd_adverts_dropped_total{reason="bad_checksum"}, keepalived's log).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
command -v keepalived >/dev/null || { echo "[interop_keepalived] SKIP: keepalived not installed" >&2; exit 77; }
e2e_init interop_keepalived "$@"
floatctl_init
max_outage=${E2E_MAX_OUTAGE_MS:-1000}
max_stop_outage=${E2E_MAX_STOP_OUTAGE_MS:-300}

NODE_SPEAKER[ka]=keepalived
add_node fd 192.0.2.1
add_node ka 192.0.2.2
add_client client
log "$(keepalived --version 2>&1 | head -n1)"

# ---------------------------------------------------------------- wire capture

CAPTURE_PID=""
CAPTURE="$E2E_WORK/vrrp.pcap"
if command -v tcpdump >/dev/null; then
  # -Z root: tcpdump would otherwise drop to its own user, who cannot write in $E2E_WORK.
  ip netns exec "$(ns_of client)" tcpdump -i eth0 -n -U -Z root -c 20000 -w "$CAPTURE" \
    'ip proto 112' 2>"$E2E_WORK/tcpdump.err" &
  CAPTURE_PID=$!
  # shellcheck disable=SC2317 # called through wait_until
  _capturing() { [[ "$(cat "$E2E_WORK/tcpdump.err" 2>/dev/null)" == *"listening on"* ]]; }
  wait_until 5 _capturing || fail "tcpdump did not start: $(cat "$E2E_WORK/tcpdump.err")"
else
  log "tcpdump not installed: no wire check of the checksums"
fi

# ---------------------------------------------------------------- states

# state_of NAME: MASTER, BACKUP, FAULT, INIT (started, no state yet) or STOPPED.
state_of() {
  node_alive "$1" || { echo STOPPED; return; }
  if [[ "$(speaker_of "$1")" == keepalived ]]; then
    # The last "Entering X STATE" since the last start marker written by node_start.
    awk '/^=== start/ { s = "INIT" }
         match($0, /Entering (MASTER|BACKUP|FAULT) STATE/) { s = substr($0, RSTART + 9, RLENGTH - 15) }
         END { print s }' "${NODE_LOG[$1]}"
  else
    # (floatctl alone, no JSON parser: this runs at every sample of settle)
    local re='"state": ?"(INIT|BACKUP|MASTER|FAULT)"'
    if [[ "$(ctl "$1" status --json 2>/dev/null)" =~ $re ]]; then
      echo "${BASH_REMATCH[1]}"
    else
      echo INIT
    fi
  fi
}

# shellcheck disable=SC2317 # called through wait_until / hold_for
# settled MASTER BACKUP: MASTER alone holds the VIP and is in MASTER state, BACKUP in BACKUP.
settled() {
  holders_are "$1" && [[ "$(state_of "$1")" == MASTER && "$(state_of "$2")" == BACKUP ]]
}
states() { echo "holders '$(vip_holders)', fd $(state_of fd), ka $(state_of ka)"; }

# settle MASTER BACKUP TIMEOUT_S WHAT: wait until settled, then hold it for 1 s.
settle() {
  wait_until "$3" settled "$1" "$2" || fail "$4: $1 not the only master within $3 s: $(states)"
  hold_for 1 settled "$1" "$2" || fail "$4: $1 did not stay the only master: $(states)"
  log "$4: $1 the only MASTER and VIP holder for 1 s, $2 BACKUP"
}

# probe_check WHAT BOUND_MS KEY: stop the probe, assert its gaps, record the outage.
probe_check() {
  probe_stop
  ((PROBE_RECEIVED > 0)) || fail "$1: the client never got a reply"
  lt "$PROBE_MAX_GAP_MS" "$2" || fail "$1: outage ${PROBE_MAX_GAP_MS} ms >= $2 ms"
  lt "$PROBE_TAIL_GAP_MS" 200 || fail "$1: the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
  result "$3" "$PROBE_MAX_GAP_MS"
}

# ---------------------------------------------------------------- floatd's view of keepalived

FD_BAD_CHECKSUM=0
FD_PEER_CHECKSUM=""
# floatd_snapshot: before floatd stops (its counters die with it): add its bad_checksum drops
# to FD_BAD_CHECKSUM and note the checksum variant of keepalived's adverts it accepted.
floatd_snapshot() {
  local metrics peers n
  metrics=$(ctl fd metrics) || fail "floatctl metrics failed"
  n=$(awk '/^floatd_adverts_dropped_total\{.*reason="bad_checksum"/ { s += $NF } END { print s + 0 }' <<<"$metrics")
  FD_BAD_CHECKSUM=$((FD_BAD_CHECKSUM + n))
  vlog "floatd drops: $(grep '^floatd_adverts_dropped_total' <<<"$metrics" | grep -v ' 0$' | tr '\n' ' ')"
  peers=$(ctl fd peers --json) || fail "floatctl peers failed"
  # keepalived's entry: a flat object (its only array, vips, has no braces).
  local re="\\{[^{}]*\"address\": ?\"${NODE_ADDR[ka]//./\\.}\"[^{}]*\\}" entry version checksum adverts
  [[ "$peers" =~ $re ]] || return 0
  entry=${BASH_REMATCH[0]}
  [[ "$entry" =~ \"version\":\ ?([0-9]+) ]] && version=${BASH_REMATCH[1]}
  [[ "$entry" =~ \"checksum\":\ ?\"([a-z0-9-]+)\" ]] && checksum=${BASH_REMATCH[1]}
  [[ "$entry" =~ \"adverts\":\ ?([0-9]+) ]] && adverts=${BASH_REMATCH[1]}
  FD_PEER_CHECKSUM="v${version:-?} ${checksum:-?} ${adverts:-?}"
  log "floatd heard keepalived: $FD_PEER_CHECKSUM adverts (version, checksum, count)"
}

stop_node() {
  [[ "$(speaker_of "$1")" == floatd ]] && floatd_snapshot
  node_stop "$1" 5
  [[ "${NODE_EXIT[$1]}" == 0 ]] || fail "$1 exited with status ${NODE_EXIT[$1]} after SIGTERM (want 0)"
  node_has_vip "$1" && fail "$1 exited but left the VIP on its interface"
  return 0
}

# ---------------------------------------------------------------- one priority order

# run_order HIGH LOW TAG: HIGH (150) and LOW (100) through the whole sequence.
run_order() {
  local hi=$1 lo=$2 tag=$3
  log "=== order $tag: $hi ($(speaker_of "$hi")) 150, $lo ($(speaker_of "$lo")) 100"
  node_config "$hi" 150
  node_config "$lo" 100
  node_start "$hi"
  node_start "$lo"
  settle "$hi" "$lo" 5 "start"

  probe_start 15
  sleep 0.5
  log "cutting $hi's link"
  link_down "$hi"
  wait_until 3 holders_are "$lo" || fail "link loss: $lo did not take over alone within 3 s: $(states)"
  [[ "$(state_of "$lo")" == MASTER ]] || fail "link loss: $lo holds the VIP but is not MASTER: $(states)"
  log "$lo took over ($(states))"
  sleep 1
  probe_check "link loss" "$max_outage" "${tag}_link_loss_outage_ms"

  probe_start 10
  log "$hi's link back up"
  link_up "$hi"
  settle "$hi" "$lo" 5 "preempt back"
  probe_check "preempt back" "$max_outage" "${tag}_preempt_outage_ms"

  probe_start 10
  sleep 0.5
  log "SIGTERM to $hi"
  stop_node "$hi"
  wait_until 3 holders_are "$lo" || fail "graceful stop: $lo did not take over alone: $(states)"
  [[ "$(state_of "$lo")" == MASTER ]] || fail "graceful stop: $lo holds the VIP but is not MASTER: $(states)"
  log "$hi exited 0 without the VIP; $lo took over"
  sleep 1
  probe_check "graceful stop" "$max_stop_outage" "${tag}_graceful_stop_outage_ms"

  probe_start 10
  log "restarting $hi"
  node_start "$hi"
  settle "$hi" "$lo" 5 "restart"
  probe_check "restart" "$max_outage" "${tag}_restart_outage_ms"

  stop_node "$hi"
  stop_node "$lo"
  wait_until 2 holders_are || fail "VIP left behind after graceful stops: '$(vip_holders)'"
}

run_order fd ka floatd_master
run_order ka fd keepalived_master

# ---------------------------------------------------------------- checksums

# keepalived logs "Invalid VRRPv3 checksum" for every advert it drops for its checksum.
ka_bad=$(grep -ci 'checksum' "${NODE_LOG[ka]}" || true)
log "keepalived log lines about checksums: $ka_bad; floatd bad_checksum drops: $FD_BAD_CHECKSUM"
((ka_bad == 0)) || fail "keepalived rejected adverts for their checksum: $(grep -i checksum "${NODE_LOG[ka]}" | head -n 3)"
((FD_BAD_CHECKSUM == 0)) || fail "floatd dropped $FD_BAD_CHECKSUM adverts for a bad checksum"
[[ -n "$FD_PEER_CHECKSUM" ]] || fail "floatd's peer table never listed keepalived (${NODE_ADDR[ka]})"
read -r _ peer_variant _ <<<"$FD_PEER_CHECKSUM"
result keepalived_checksum_accepted_by_floatd "$peer_variant"

if [[ -n "$CAPTURE_PID" ]]; then
  kill -TERM "$CAPTURE_PID" 2>/dev/null || true
  wait_until 5 _not_alive "$CAPTURE_PID" || fail "tcpdump did not stop"
  wait "$CAPTURE_PID" 2>/dev/null || true
  CAPTURE_PID=""
  # One line per sender: ADDRESS VARIANT COUNT PRIO0_COUNT (VARIANT: pseudo-header, rfc9568,
  # mixed or bad), from every IPv4 VRRPv3 advert in the capture.
  wire=$(python3 - "$CAPTURE" <<'EOF'
import struct, sys
from collections import defaultdict

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

raw = open(sys.argv[1], "rb").read()
magic = raw[:4]
end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
linktype = struct.unpack(end + "I", raw[20:24])[0]
assert linktype == 1, "not an Ethernet capture"
seen = defaultdict(lambda: defaultdict(int))
prio0 = defaultdict(int)
off = 24
while off + 16 <= len(raw):
    incl = struct.unpack(end + "I", raw[off + 8:off + 12])[0]
    frame = raw[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        continue
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != 112 or ihl < 20 or total > len(ip):
        continue
    src, dst, vrrp = ip[12:16], ip[16:20], ip[ihl:total]
    if len(vrrp) < 8 or vrrp[0] >> 4 != 3:
        continue
    pseudo = src + dst + bytes([0, 112]) + struct.pack("!H", len(vrrp))
    ok_pseudo = csum(pseudo + vrrp) == 0
    ok_plain = csum(vrrp) == 0
    variant = "pseudo-header" if ok_pseudo else "rfc9568" if ok_plain else "bad"
    who = ".".join(map(str, src))
    seen[who][variant] += 1
    if vrrp[2] == 0:
        prio0[who] += 1
for who, variants in sorted(seen.items()):
    name = next(iter(variants)) if len(variants) == 1 else "mixed"
    print(who, name, sum(variants.values()), prio0[who],
          " ".join("%s=%d" % kv for kv in sorted(variants.items())))
EOF
  ) || fail "could not analyse the capture $CAPTURE"
  log "adverts on the wire (sender variant count priority-0 detail):"
  while read -r line; do log "  $line"; done <<<"$wire"
  for n in fd ka; do
    read -r _ variant count zero _ <<<"$(grep "^${NODE_ADDR[$n]} " <<<"$wire")"
    [[ -n "${variant:-}" ]] || fail "no advert from $n (${NODE_ADDR[$n]}) in the capture"
    [[ "$variant" == pseudo-header || "$variant" == rfc9568 ]] \
      || fail "$n's adverts on the wire: checksum variant '$variant'"
    ((zero > 0)) || fail "no priority-0 advert from $n in the capture (graceful stops)"
    result "$(speaker_of "$n")_sends_checksum" "$variant"
    vlog "$n: $count adverts, $zero with priority 0"
  done
fi

pass "floatd and keepalived interoperate in both priority orders (VRRPv3, IPv4, multicast)"

#!/usr/bin/env bash
# VIP restoration (on_vip_removed). n1 (150) is MASTER, n2 (100) BACKUP, a client pings the
# VIP every 5 ms.
#   a) restore (the default): `ip addr del` of the VIP on n1: n1 puts it back within one
#      advert interval (netlink tells it at once), logs it, stays MASTER, announces it; n2
#      never takes over; floatd_vips_restored_total counts it.
#   b) fault (set by a reload): the same deletion makes n1 hand over (priority-0 advert)
#      and stay in FAULT for a master down interval: n2 holds the VIP alone, then n1 comes
#      back as BACKUP and preempts.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[vip_restore] SKIP: tests floatd's on_vip_removed (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init vip_restore "$@"
floatctl_init

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 5 holders_are n1 || fail "n1 is not the only holder: '$(vip_holders)'"
sleep 0.5

log "a) deleting the VIP from n1 (on_vip_removed = restore)"
probe_start 20
t0=$(date +%s%N)
ip -n "${NODE_NS[n1]}" addr del "$VIP/$VIP_PREFIX" dev eth0
wait_until 2 node_has_vip n1 || fail "a) n1 did not put the VIP back within 2 s"
hold_for 1 holders_are n1 || fail "a) holders changed after the restoration: '$(vip_holders)'"
probe_stop
instance_state_is n1 web MASTER || fail "a) n1 is $(instance_field n1 web state), want MASTER"
# From the deletion to floatd's log line, which it writes just before adding the VIP back
# (polling the address would measure `ip` more than floatd).
line=$(grep -m1 "web: VIP $VIP/$VIP_PREFIX was removed from eth0 by someone else; restoring it" "${NODE_LOG[n1]}") ||
  fail "a) n1 did not log the restoration"
restored_ms=$((($(date -d "${line:0:23}" +%s%N) - t0) / 1000000))
((restored_ms < 100)) || fail "a) n1 reacted ${restored_ms} ms after the deletion (>= one advert interval, 100 ms)"
[[ "$(ctl n1 metrics)" == *'floatd_vips_restored_total{instance="web",vrid="51"} 1'* ]] ||
  fail "a) floatd_vips_restored_total is not 1: $(ctl n1 metrics | grep vips_restored)"
(($(transitions n2) == 1)) || fail "a) n2 changed state: $(transitions n2) transitions"
log "a) restoring ${restored_ms} ms after the deletion; client outage ${PROBE_MAX_GAP_MS} ms"
result vip_restored_ms "$restored_ms"
result vip_restore_outage_ms "$PROBE_MAX_GAP_MS"

log "b) on_vip_removed = fault, by a reload"
sed -i 's/^garp_interval = .*/&\non_vip_removed = "fault"/' "${NODE_CONF[n1]}"
[[ "$(ctl n1 reload)" == *"on_vip_removed restore -> fault"* ]] || fail "b) the reload did not apply on_vip_removed"
from=$(wc -l <"${NODE_LOG[n1]}")
ip -n "${NODE_NS[n1]}" addr del "$VIP/$VIP_PREFIX" dev eth0
wait_until 2 holders_are n2 || fail "b) n2 did not take the VIP: '$(vip_holders)'"
tail -n +"$((from + 1))" "${NODE_LOG[n1]}" | grep -q "MASTER -> FAULT, priority 150: VIP $VIP/$VIP_PREFIX was removed" ||
  fail "b) n1 did not go to FAULT for the removed VIP"
wait_until 3 holders_are n1 || fail "b) n1 did not come back after its hold-down: '$(vip_holders)'"
tail -n +"$((from + 1))" "${NODE_LOG[n1]}" | grep -q "FAULT -> BACKUP" || fail "b) n1 did not leave FAULT as BACKUP"

pass "VIP restoration: a) put back ${restored_ms} ms after ip addr del, no failover; b) fault: handed over and came back"

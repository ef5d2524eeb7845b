#!/usr/bin/env bash
# SIGKILL the master (its VIP stays on its interface, as after a crash); the backup takes
# over. Restart the killed node: it must remove the stale VIP before it enters BACKUP,
# then preempt back; once settled, exactly one holder (n1) at every 20 ms sample for 3 s.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init kill_restart "$@"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
sleep 1

log "SIGKILL to n1"
node_crash n1
wait_until 3 node_has_vip n2 || fail "n2 did not take over after n1 was killed, holders: '$(vip_holders)'"
node_has_vip n1 || fail "harness: the killed n1 should still carry its stale VIP"
log "n2 took over; killed n1 still carries the stale VIP (holders: '$(vip_holders)')"
sleep 1

log "restarting n1"
node_start n1
# Trace the holder set every 20 ms until n1 is the only holder again (times are from the
# launch of n1's floatd).
stale_removed=0 both_ms=0 prev="" t0=${NODE_STARTED_NS[n1]} deadline=$(($(date +%s%N) + 5000000000))
while :; do
  now=$(date +%s%N)
  now_holders=$(vip_holders)
  [[ "$now_holders" != "$prev" ]] && log "  +$(((now - t0) / 1000000)) ms holders: '${now_holders}'"
  [[ " $now_holders " != *" n1 "* ]] && stale_removed=1
  [[ "$now_holders" == "n1 n2" ]] && both_ms=$((both_ms + 20))
  prev=$now_holders
  ((stale_removed)) && [[ "$now_holders" == n1 ]] && break
  ((now < deadline)) || fail "n1 did not drop its stale VIP and preempt back within 5 s, holders: '$now_holders'"
  sleep 0.02
done
((stale_removed)) || fail "n1 never removed the stale VIP at restart"
result rejoin_ms $(((now - t0) / 1000000))
log "n1 removed the stale VIP at start and preempted back (about ${both_ms} ms sampled with two holders)"
hold_for 3 holders_are n1 || fail "after settling, not exactly one holder (n1)"
pass "restart after SIGKILL: stale VIP removed, n1 preempted back, single holder for 3 s"

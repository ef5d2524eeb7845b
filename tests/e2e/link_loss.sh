#!/usr/bin/env bash
# A client pings the VIP every 5 ms; the master's link is cut; the backup takes over.
# Asserts: exactly the backup holds the VIP afterwards, and the client's longest gap
# between replies is below E2E_MAX_OUTAGE_MS (default 1000 ms at 100 ms adverts).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init link_loss "$@"
max_outage=${E2E_MAX_OUTAGE_MS:-1000}

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
sleep 1 # let n2 settle in BACKUP, learning n1's adverts

probe_start 15
sleep 1
log "cutting n1's link"
link_down n1
wait_until 3 holders_are n2 || fail "n2 did not take over alone within 3 s, holders: '$(vip_holders)'"
log "n2 holds the VIP alone"
sleep 1.5
probe_stop

((PROBE_RECEIVED > 0)) || fail "the client never got a reply"
lt "$PROBE_MAX_GAP_MS" "$max_outage" || fail "outage ${PROBE_MAX_GAP_MS} ms >= ${max_outage} ms"
lt "$PROBE_TAIL_GAP_MS" 200 || fail "the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
holders_are n2 || fail "holders at the end: '$(vip_holders)'"
result outage_ms "$PROBE_MAX_GAP_MS"
pass "link loss: n2 took over, client outage ${PROBE_MAX_GAP_MS} ms (< ${max_outage} ms)"

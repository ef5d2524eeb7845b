#!/usr/bin/env bash
# SIGTERM the master: it exits 0 and removes its VIP (after a priority-0 advert), the
# backup takes over at once; the client's outage is below E2E_MAX_OUTAGE_MS (300 ms).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init graceful_stop "$@"
max_outage=${E2E_MAX_OUTAGE_MS:-300}

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
sleep 1

probe_start 15
sleep 1
log "SIGTERM to n1"
node_stop n1 5
[[ "${NODE_EXIT[n1]}" == 0 ]] || fail "n1 exited with status ${NODE_EXIT[n1]} after SIGTERM (want 0)"
node_has_vip n1 && fail "n1 exited but left the VIP on its interface"
wait_until 3 holders_are n2 || fail "n2 did not take over alone, holders: '$(vip_holders)'"
log "n1 exited 0 without the VIP; n2 holds it"
sleep 1.5
probe_stop

((PROBE_RECEIVED > 0)) || fail "the client never got a reply"
lt "$PROBE_MAX_GAP_MS" "$max_outage" || fail "outage ${PROBE_MAX_GAP_MS} ms >= ${max_outage} ms"
lt "$PROBE_TAIL_GAP_MS" 200 || fail "the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
result outage_ms "$PROBE_MAX_GAP_MS"
pass "graceful stop: exit 0, VIP released, n2 took over, client outage ${PROBE_MAX_GAP_MS} ms (< ${max_outage} ms)"

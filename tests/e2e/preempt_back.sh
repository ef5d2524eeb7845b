#!/usr/bin/env bash
# Part 1 (preempt = true, the default): n1 (150) loses its link, n2 (100) takes over;
# when n1's link comes back, n1 preempts: exactly one holder, n1, and it stays so.
# Part 2 (preempt = false on n1): same sequence, but n1 does NOT take the VIP back.
# A client probes the VIP during part 1's preemption; its longest gap is reported (and must
# stay below E2E_MAX_OUTAGE_MS, default 1000 ms: the handover itself should be seamless).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init preempt_back "$@"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
max_outage=${E2E_MAX_OUTAGE_MS:-1000}

failover_and_restore() {
  wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
  sleep 0.5
  link_down n1
  wait_until 3 holders_are n2 || fail "n2 did not take over after n1's link loss, holders: '$(vip_holders)'"
  log "n1 link down: n2 holds the VIP"
  sleep 0.5
  [[ "${1:-}" == probe ]] && probe_start 10
  link_up n1
  log "n1 link up"
}

log "part 1: preempt = true"
node_config n1 150 preempt=true
node_config n2 100
node_start n1
node_start n2
failover_and_restore probe
wait_until 3 holders_are n1 || fail "n1 (150) did not preempt back within 3 s, holders: '$(vip_holders)'"
log "n1 preempted back"
hold_for 2 holders_are n1 || fail "n1 did not stay the only holder after preempting"
probe_stop
lt "$PROBE_MAX_GAP_MS" "$max_outage" || fail "outage during preemption ${PROBE_MAX_GAP_MS} ms >= ${max_outage} ms"
lt "$PROBE_TAIL_GAP_MS" 200 || fail "the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
result preempt_outage_ms "$PROBE_MAX_GAP_MS"

node_stop n1
node_stop n2
[[ "${NODE_EXIT[n1]} ${NODE_EXIT[n2]}" == "0 0" ]] || fail "graceful stop exit codes: n1=${NODE_EXIT[n1]} n2=${NODE_EXIT[n2]}"
wait_until 2 holders_are || fail "VIP left behind after graceful stops: '$(vip_holders)'"

log "part 2: preempt = false on n1"
node_config n1 150 preempt=false
node_config n2 100
node_start n1
wait_until 3 holders_are n1 || fail "n1 alone did not become master, holders: '$(vip_holders)'"
node_start n2
failover_and_restore
hold_for "${E2E_NOPREEMPT_HOLD:-3}" holders_are n2 || fail "with preempt = false n1 took the VIP back (or n2 lost it)"
pass "preempt=true: n1 took the VIP back; preempt=false: n2 kept it"

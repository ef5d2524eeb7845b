#!/usr/bin/env bash
# Two nodes (priorities 150 and 100): exactly one VIP holder, the 150, within 3 s,
# and still exactly that one holder over the next 3 s.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init election "$@"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
node_config n1 150
node_config n2 100
node_start n1
node_start n2

wait_until "${E2E_ELECTION_TIMEOUT:-3}" holders_are n1 ||
  fail "expected n1 (150) to be the only VIP holder within ${E2E_ELECTION_TIMEOUT:-3} s, holders: '$(vip_holders)'"
log "n1 holds the VIP alone"
hold_for 3 holders_are n1 || fail "the single holder did not stay n1"
{ node_alive n1 && node_alive n2; } || fail "a node died"
pass "exactly one holder (n1, priority 150) for 3 s"

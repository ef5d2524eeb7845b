#!/usr/bin/env bash
# Hitless restart of the master: a pair (n1 150, n2 100, 100 ms adverts; n1's instance
# tracks a weight-0 check) while a client pings the VIP every 5 ms. Asserts:
# - `floatctl restart` on n1 three times: each time the same PID (exec) logs "resumed after
#   a hitless restart", the VIP never leaves n1 and never appears on n2, n2 makes no state
#   change, and the client's longest gap stays < E2E_MAX_GAP_MS (100 ms; a failover would
#   cost >= 300 ms); the check's verdict survives (no FAULT at resume);
# - a fourth restart whose exec fails (n1 runs a copy of floatd, deleted before the
#   restart): n1 logs it and resumes in the same process, VIP still in place, no failover;
# - a broken configuration: `floatctl restart` exits 1 naming FILE:LINE and n1 keeps
#   running unchanged.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init hitless_restart "$@"
floatctl_init
max_gap=${E2E_MAX_GAP_MS:-100}

# n1 runs a copy of floatd that round 4 deletes, so that its exec fails.
floatd_copy="$E2E_WORK/floatd-copy"
cp "$FLOATD" "$floatd_copy"
add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
node_config n1 150
cat >>"${NODE_CONF[n1]}" <<'EOF'
track = [{ check = "alive", weight = 0 }]

[[check]]
name = "alive"
command = ["/bin/true"]
interval = "200ms"
rise = 1
EOF
node_config n2 100
FLOATD=$floatd_copy node_start n1
node_start n2
wait_until 5 holders_are n1 || fail "n1 did not become the only holder"
wait_until 3 grep -q 'BACKUP' "${NODE_LOG[n2]}" || fail "n2 did not become BACKUP"
n1_pid=${NODE_PID[n1]}
n2_before=$(transitions n2)
faults() { grep -c -- '-> FAULT' "${NODE_LOG[n1]}" || true; }
faults_before=$(faults)  # FAULT at the first start, until the check had passed once
probe_start 60

only_n1() { holders_are n1 && node_alive n1; }
gaps=()
for round in 1 2 3; do
  resumed_before=$(grep -c 'resumed after a hitless restart' "${NODE_LOG[n1]}" || true)
  out=$(ctl n1 restart) || fail "floatctl restart failed: $out"
  [[ "$out" == *"floatd restarted"* && "$out" == *MASTER* ]] || fail "floatctl restart printed: $out"
  [[ "${NODE_PID[n1]}" == "$n1_pid" ]] && node_alive n1 || fail "n1 is not the same process any more"
  (($(grep -c 'resumed after a hitless restart' "${NODE_LOG[n1]}") == resumed_before + 1)) ||
    fail "round $round: n1 did not log its resume"
  hold_for 0.5 only_n1 || fail "round $round: the VIP moved after the restart"
  log "round $round: restarted, VIP stayed on n1"
done
(($(faults) == faults_before)) || fail "n1 went FAULT: the check's verdict was lost at a restart"
rm "$floatd_copy"
out=$(ctl n1 restart) || fail "floatctl restart with a failing exec: $out"
grep -q 'resuming in this process' "${NODE_LOG[n1]}" || fail "n1 did not log the failed exec and its fallback"
[[ "${NODE_PID[n1]}" == "$n1_pid" ]] && node_alive n1 || fail "n1 is gone after a failed exec"
hold_for 0.5 only_n1 || fail "the VIP moved after the failed exec"
log "round 4: exec failed, n1 resumed in place"
(($(transitions n2) == n2_before)) || fail "n2 changed state during the restarts"
probe_stop
result max_gap_ms "$PROBE_MAX_GAP_MS"
lt "$PROBE_MAX_GAP_MS" "$max_gap" || fail "the client lost the VIP for $PROBE_MAX_GAP_MS ms"
((PROBE_RECEIVED == PROBE_SENT)) || log "note: $((PROBE_SENT - PROBE_RECEIVED)) of $PROBE_SENT pings unanswered"
result lost_pings "$((PROBE_SENT - PROBE_RECEIVED))"

# A configuration the new process could not start with: refused before anything happens.
echo 'priority = 999' >>"${NODE_CONF[n1]}"
if out=$(ctl n1 restart 2>&1); then fail "restart with a broken file succeeded: $out"; fi
[[ "$out" == *"not restarting"* && "$out" == *"${NODE_CONF[n1]}:"* ]] || fail "restart of a broken file printed: $out"
hold_for 0.5 only_n1 || fail "a refused restart disturbed n1"
pass "4 hitless restarts of the master (one with a failed exec): longest client gap ${PROBE_MAX_GAP_MS} ms, no failover"

#!/usr/bin/env bash
# Trackers other than script checks move the VIP: n1 (150) tracks
#   - interface eth1 (weight 0: FAULT while it is down), a second link of n1's own;
#   - file $WORK/demote (weight -100: its value times -100 is added to the priority);
#   - an http check of a server in n1's namespace (weight 0), 200 ms interval, fall 2.
# n2 (100) tracks nothing; a client pings the VIP every 5 ms.
#   a) eth1 down: n1 goes to FAULT and hands over (priority-0 advert); eth1 up: n1 is back.
#   b) "1" into the file: n1 drops to 50 and n2 takes over after its skew time (a backup
#      preempts a master demoted below it at once instead of waiting its master down
#      interval): n2 is MASTER < E2E_MAX_PREEMPT_MS (250) after n1 logs the new priority,
#      where the RFC path takes 3 x 100 ms + skew. "0" and n1 preempts back.
#   c) the health URL answers 404: the http check fails, n1 hands over; 200 again: back.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[trackers] SKIP: tests floatd's own trackers (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init trackers "$@"
floatctl_init

max_preempt_ms=${E2E_MAX_PREEMPT_MS:-250}
DEMOTE="$E2E_WORK/demote"
WWW="$E2E_WORK/www"
mkdir -m 0755 "$WWW"
echo ok >"$WWW/health"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
# n1's second link: a veth pair of its own (eth1 <-> eth1p), nothing outside the namespace.
ip -n "${NODE_NS[n1]}" link add eth1 type veth peer name eth1p
ip -n "${NODE_NS[n1]}" link set eth1p up
ip -n "${NODE_NS[n1]}" link set eth1 up
# The health server, on n1's loopback (floatd's http check runs inside floatd, in n1).
ip netns exec "${NODE_NS[n1]}" python3 -m http.server --bind 127.0.0.1 --directory "$WWW" 8080 \
  >"$E2E_WORK/http.log" 2>&1 &
http_up() { ip netns exec "${NODE_NS[n1]}" python3 -c '
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen("http://127.0.0.1:8080/health", timeout=1).status == 200 else 1)
' 2>/dev/null; }
wait_until 5 http_up || fail "the health server in n1 did not answer"

node_config n1 150
cat >>"${NODE_CONF[n1]}" <<EOF
track = [{ interface = "eth1" }, { file = "$DEMOTE", weight = -100 }, { check = "web" }]

[[check]]
name = "web"
http = "http://127.0.0.1:8080/health"
interval = "200ms"
timeout = "150ms"
rise = 2
fall = 2
EOF
node_config n2 100
node_start n1
node_start n2
wait_until 5 instance_state_is n1 web MASTER || fail "n1 is $(instance_field n1 web state), want MASTER"
wait_until 3 holders_are n1 || fail "n1 is not the only holder: '$(vip_holders)'"
sleep 1

# back_to_n1 CASE: n1 MASTER at 150 and the only holder again.
back_to_n1() {
  wait_until 5 instance_state_is n1 web MASTER ||
    fail "$1) n1 is $(instance_field n1 web state) 5 s after the recovery, want MASTER"
  wait_until 3 holders_are n1 || fail "$1) holders after the recovery: '$(vip_holders)'"
  [[ "$(instance_field n1 web effective_priority)" == 150 ]] ||
    fail "$1) n1's effective priority is $(instance_field n1 web effective_priority), want 150"
}
# moved_to_n2 CASE STATE: n1 in STATE, n2 the only holder, the client kept its replies.
moved_to_n2() {
  wait_until 5 instance_state_is n1 web "$2" || fail "$1) n1 is $(instance_field n1 web state), want $2"
  wait_until 3 holders_are n2 || fail "$1) n2 does not hold the VIP alone: '$(vip_holders)'"
  sleep 0.5
  probe_stop
  lt "$PROBE_TAIL_GAP_MS" 200 || fail "$1) the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
  lt "$PROBE_MAX_GAP_MS" 1000 || fail "$1) outage ${PROBE_MAX_GAP_MS} ms"
}

log "a) interface tracker: eth1 down"
probe_start 20
ip -n "${NODE_NS[n1]}" link set eth1 down
moved_to_n2 a FAULT
grep -q "interface eth1 failing (fault)" "${NODE_LOG[n1]}" || fail "a) n1 did not log eth1 as the reason"
result interface_tracker_outage_ms "$PROBE_MAX_GAP_MS"
log "a) eth1 down: outage ${PROBE_MAX_GAP_MS} ms; eth1 up"
ip -n "${NODE_NS[n1]}" link set eth1 up
back_to_n1 a
sleep 1

log "b) file tracker: 1 x -100"
probe_start 20
from=$(wc -l <"${NODE_LOG[n1]}")
from2=$(wc -l <"${NODE_LOG[n2]}")
echo 1 >"$DEMOTE"
moved_to_n2 b BACKUP
[[ "$(instance_field n1 web effective_priority)" == 50 ]] ||
  fail "b) n1's effective priority is $(instance_field n1 web effective_priority), want 50"
line_time_ns() { date -d "${1:0:23}" +%s%N; }
demoted=$(tail -n +"$((from + 1))" "${NODE_LOG[n1]}" | grep -m1 "effective priority 150 -> 50") ||
  fail "b) n1 did not log its demotion"
took_over=$(tail -n +"$((from2 + 1))" "${NODE_LOG[n2]}" | grep -m1 "BACKUP -> MASTER") ||
  fail "b) n2 did not log its takeover"
[[ "$took_over" == *"preempting lower-priority master"* ]] || fail "b) n2 took over for another reason: $took_over"
preempt_ms=$((($(line_time_ns "$took_over") - $(line_time_ns "$demoted")) / 1000000))
log "b) n1 demoted -> n2 MASTER ${preempt_ms} ms; client outage ${PROBE_MAX_GAP_MS} ms"
((preempt_ms < max_preempt_ms)) ||
  fail "b) n2 became MASTER ${preempt_ms} ms after n1's demotion (>= ${max_preempt_ms} ms: no fast preemption?)"
result file_demotion_to_peer_master_ms "$preempt_ms"
result file_demotion_outage_ms "$PROBE_MAX_GAP_MS"
echo 0 >"$DEMOTE"
back_to_n1 b
sleep 1

log "c) http check: the health URL answers 404"
probe_start 20
rm "$WWW/health"
moved_to_n2 c FAULT
grep -q "check 'web' is now failing: status 404, expected 200" "${NODE_LOG[n1]}" ||
  fail "c) n1 did not log the http check failing with its status"
result http_check_outage_ms "$PROBE_MAX_GAP_MS"
log "c) outage ${PROBE_MAX_GAP_MS} ms; the URL answers 200 again"
echo ok >"$WWW/health"
back_to_n1 c

pass "trackers: a) interface down -> FAULT and back; b) file demotion -> n2 MASTER ${preempt_ms} ms later, and back;" \
  "c) http 404 -> FAULT and back"

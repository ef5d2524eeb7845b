#!/usr/bin/env bash
# Health checks move the VIP. n1 (150) tracks two script checks, each testing for a file
# this scenario creates and removes; n2 (100) tracks nothing; a client pings the VIP every
# 5 ms and tcpdump in the client's namespace tells which node's MAC answered.
#   a) weight -100 (150 -> 50): removing a.ok moves the VIP to n2; measured: the client's
#      outage and the time from the removal to n2's first reply; recreating it, n1 preempts
#      back.
#   b) weight 0: removing b.ok puts n1 in FAULT (floatctl status --json), it hands over with
#      a priority-0 advert: n2 answers < E2E_MAX_HANDOVER_MS (300) after n1 logs the check
#      as failing, and the outage stays below that too; restoring it, n1 is MASTER again.
#   c) a hanging check (/bin/sleep 30, and a shell that forks a second sleep, timeout
#      100ms) counts as failed: n3 (200) stays in FAULT and never takes the VIP from n1;
#      every check process is killed within the timeout (plus slack); none survives n3.
# Checks: interval 200ms, timeout 100ms, rise 2, fall 2 (E2E_CHECK_INTERVAL and E2E_CHECK_FALL
# override two). floatctl is taken from next to floatd (or E2E_FLOATCTL=).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[check_failover] SKIP: tests floatd's own [[check]] tracking (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init check_failover "$@"

CHK_FLOATCTL=${E2E_FLOATCTL:-$(dirname "$FLOATD")/floatctl}
[[ -x "$CHK_FLOATCTL" ]] || fail "floatctl not found next to floatd ('$CHK_FLOATCTL'; set E2E_FLOATCTL=)"
command -v tcpdump >/dev/null || fail "tcpdump is needed (tests/install-deps.sh installs it)"

check_interval=${E2E_CHECK_INTERVAL:-200ms}
check_timeout=100ms
check_rise=2
check_fall=${E2E_CHECK_FALL:-2}
max_demote_ms=${E2E_MAX_DEMOTE_MS:-3000}    # a) removal -> n2 answers
max_demote_outage=${E2E_MAX_OUTAGE_MS:-1000} # a) the client's longest gap
max_handover_ms=${E2E_MAX_HANDOVER_MS:-300}  # b) check failing -> n2 answers, and b)'s gap
max_check_life_ms=${E2E_MAX_CHECK_LIFE_MS:-400} # c) timeout 100ms + slack for a busy machine

# The check processes run as floatd-script or nobody: they must reach the files. The work
# directory is 0700; let others traverse it (not list it) into a 0755 directory.
chmod 0711 "$E2E_WORK"
HEALTH="$E2E_WORK/health"
mkdir -m 0755 "$HEALTH"

# ---------------------------------------------------------------- helpers (this scenario)

# After node_config (whose [[instance]] table comes last) a node's config takes
# track_checks (a key of that instance), then define_check blocks.
# track_checks NAME 'CHECK=WEIGHT'...: the instance's track list.
track_checks() {
  local name=$1 kv items=()
  shift
  for kv in "$@"; do items+=("{ check = \"${kv%%=*}\", weight = ${kv#*=} }"); done
  local IFS=,
  echo "track = [${items[*]}]" >>"${NODE_CONF[$name]}"
}
# define_check NAME CHECK ARGV_TOML: a [[check]] with this scenario's timing.
define_check() {
  cat >>"${NODE_CONF[$1]}" <<EOF

[[check]]
name = "$2"
command = $3
interval = "$check_interval"
timeout = "$check_timeout"
rise = $check_rise
fall = $check_fall
EOF
}

# status_field NAME KEY: a string or number field of the (only) instance in floatctl status
# --json (sed rather than jq, which is not among the test dependencies).
status_field() {
  "$CHK_FLOATCTL" -s "$E2E_WORK/$1.sock" status --json 2>/dev/null |
    sed -nE "s/^ *\"$2\": *\"?([^\",]*)\"?,?\$/\1/p" | head -n1
}
state_is() { [[ "$(status_field "$1" state)" == "$2" ]]; }
state_and_holders() { state_is "$1" "$2" && holders_are "${@:3}"; }

mac_of() { ip -n "${NODE_NS[$1]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p'; }

now_ns() { date +%s%N; }
ms_between() { echo $((($2 - $1) / 1000000)); } # FROM_NS TO_NS -> whole ms

# Echo replies seen by the client, with the source MAC and a wall-clock time stamp.
CAPTURE=""
CAPTURE_PID=""
capture_start() {
  CAPTURE="$E2E_WORK/replies.$1.txt"
  ip netns exec "${NODE_NS[client]}" tcpdump -i eth0 -n -e -tt -l \
    'icmp[icmptype] == icmp-echoreply' >"$CAPTURE" 2>"$CAPTURE.err" &
  CAPTURE_PID=$!
  wait_until 3 grep -q 'listening on' "$CAPTURE.err" || fail "tcpdump did not start: $(cat "$CAPTURE.err")"
}
capture_stop() {
  kill -TERM "$CAPTURE_PID" 2>/dev/null || true
  wait_until 3 _not_alive "$CAPTURE_PID" || fail "tcpdump did not stop"
  wait "$CAPTURE_PID" 2>/dev/null || true
  CAPTURE_PID=""
}
# first_reply_ns MAC AFTER_NS: time of the first echo reply from MAC after AFTER_NS (empty
# if none). tcpdump -tt prints seconds.microseconds.
first_reply_ns() {
  awk -v mac="$1" -v after="$2" '
    $2 == mac {
      split($1, t, "."); ns = t[1] "" substr(t[2] "000000000", 1, 9)
      if (length(ns) == length(after) ? ns > after : length(ns) > length(after)) { print ns; exit }
    }' "$CAPTURE"
}

# log_time_ns NAME FROM_LINE PATTERN: the time stamp of the first line of the node's log
# after line FROM_LINE that matches PATTERN (grep -E), as ns since the epoch; floatd
# prints "YYYY-MM-DD HH:MM:SS.mmm" in local time.
log_time_ns() {
  local line
  line=$(tail -n +"$(($2 + 1))" "${NODE_LOG[$1]}" | grep -m1 -E "$3") || return 1
  date -d "${line:0:23}" +%s%N
}
log_lines() { wc -l <"${NODE_LOG[$1]}"; }

# check_processes NAME: "pid ppid pgid age_ms cmdline" for every process in the node's
# namespace except floatd itself (they are all its check commands and their children;
# nothing else runs in that namespace). Builtins only, so a sample takes a few ms.
CLK_TCK=$(getconf CLK_TCK)
check_processes() {
  local name=$1 self=${NODE_PID[$1]} p stat rest fields up cs args
  read -r up _ </proc/uptime
  cs=${up/./}  # uptime in centiseconds ("12345.67")
  for p in $(ip netns pids "${NODE_NS[$name]}" 2>/dev/null); do
    [[ "$p" == "$self" ]] && continue
    read -r stat 2>/dev/null <"/proc/$p/stat" || continue
    rest=${stat##*) }
    read -r -a fields <<<"$rest"
    # after "(comm) ": [0]=state [1]=ppid [2]=pgrp ... [19]=starttime (clock ticks).
    # Zombies count too (a run must be reaped, not only killed); they have no cmdline.
    args=("(zombie)")
    [[ "${fields[0]}" == Z ]] || mapfile -d '' args 2>/dev/null <"/proc/$p/cmdline" || continue
    echo "$p ${fields[1]} ${fields[2]} $(((10#$cs * 10) - fields[19] * 1000 / CLK_TCK)) ${args[*]}"
  done
}

# ---------------------------------------------------------------- set-up

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_node n3 192.0.2.3
add_client
touch "$HEALTH/a.ok" "$HEALTH/b.ok"

node_config n1 150
track_checks n1 a=-100 b=0
define_check n1 a "[\"/usr/bin/test\", \"-e\", \"$HEALTH/a.ok\"]"
define_check n1 b "[\"/usr/bin/test\", \"-e\", \"$HEALTH/b.ok\"]"
node_config n2 100
# n3 is case c: the highest priority, but its checks hang; it must never hold the VIP.
node_config n3 200
track_checks n3 hang=0 hangfork=0
define_check n3 hang '["/bin/sleep", "30"]'
define_check n3 hangfork '["/bin/sh", "-c", "/bin/sleep 31 & exec /bin/sleep 30"]'

mac_n1=$(mac_of n1)
mac_n2=$(mac_of n2)
log "n1 $mac_n1, n2 $mac_n2; checks: interval $check_interval, timeout $check_timeout, rise $check_rise, fall $check_fall"
result check_timing "interval=$check_interval,timeout=$check_timeout,rise=$check_rise,fall=$check_fall"

node_start n1
node_start n2
# n1 starts demoted (its checks have not passed yet), so n2 may be MASTER first; once the
# checks rise n1 preempts.
wait_until 5 state_and_holders n1 MASTER n1 ||
  fail "n1 did not become MASTER and the only holder, n1 $(status_field n1 state), holders: '$(vip_holders)'"
[[ "$(status_field n1 effective_priority)" == 150 ]] ||
  fail "n1's effective priority is $(status_field n1 effective_priority), want 150 with both checks passing"
sleep 1 # n2 settles in BACKUP

# ---------------------------------------------------------------- a) weight -100

log "a) weight -100: removing a.ok"
capture_start a
probe_start 20
sleep 0.5
from=$(log_lines n1)
t_rm=$(now_ns)
rm "$HEALTH/a.ok"
wait_until 5 holders_are n2 || fail "a) n2 did not take the VIP alone within 5 s of the removal, holders: '$(vip_holders)'"
t_seen=$(now_ns)
wait_until 2 state_is n1 BACKUP || fail "a) n1 is $(status_field n1 state), want BACKUP"
eff=$(status_field n1 effective_priority)
[[ "$eff" == 50 ]] || fail "a) n1's effective priority is $eff, want 50 (150 - 100)"
sleep 1
probe_stop
capture_stop
t_fail=$(log_time_ns n1 "$from" "check 'a' is now failing") || fail "a) n1 never logged check 'a' as failing"
t_reply=$(first_reply_ns "$mac_n2" "$t_rm")
[[ -n "$t_reply" ]] || fail "a) the client never got a reply from n2 ($mac_n2) after the removal"
demote_total=$(ms_between "$t_rm" "$t_reply")
demote_after_fail=$(ms_between "$t_fail" "$t_reply")
log "a) removal -> check failing $(ms_between "$t_rm" "$t_fail") ms -> n2 answers ${demote_after_fail} ms;" \
  "removal -> n2 answers ${demote_total} ms (holders polled: $(ms_between "$t_rm" "$t_seen") ms);" \
  "client outage ${PROBE_MAX_GAP_MS} ms, duplicates ${PROBE_DUPLICATES}"
lt "$PROBE_TAIL_GAP_MS" 200 || fail "a) the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
lt "$PROBE_MAX_GAP_MS" "$max_demote_outage" || fail "a) outage ${PROBE_MAX_GAP_MS} ms >= ${max_demote_outage} ms"
((demote_total < max_demote_ms)) || fail "a) n2 answered ${demote_total} ms after the removal (>= ${max_demote_ms} ms)"
demote_outage=$PROBE_MAX_GAP_MS
result demote_outage_ms "$demote_outage"
result demote_removal_to_peer_reply_ms "$demote_total"
result demote_check_failing_to_peer_reply_ms "$demote_after_fail"

log "a) recreating a.ok: n1 must preempt back"
t_touch=$(now_ns)
touch "$HEALTH/a.ok"
wait_until 5 state_and_holders n1 MASTER n1 ||
  fail "a) n1 did not take the VIP back within 5 s, n1 $(status_field n1 state), holders: '$(vip_holders)'"
log "a) n1 is MASTER again $(ms_between "$t_touch" "$(now_ns)") ms after a.ok came back"
sleep 1

# ---------------------------------------------------------------- b) weight 0 (FAULT)

log "b) weight 0: removing b.ok"
capture_start b
probe_start 20
sleep 0.5
from=$(log_lines n1)
t_rm=$(now_ns)
rm "$HEALTH/b.ok"
wait_until 5 state_is n1 FAULT || fail "b) n1 is $(status_field n1 state) 5 s after the removal, want FAULT"
wait_until 3 holders_are n2 || fail "b) n2 does not hold the VIP alone, holders: '$(vip_holders)'"
sleep 1
probe_stop
capture_stop
t_fail=$(log_time_ns n1 "$from" "check 'b' is now failing") || fail "b) n1 never logged check 'b' as failing"
log_time_ns n1 "$from" "MASTER -> FAULT" >/dev/null || fail "b) n1 logged no MASTER -> FAULT"
t_reply=$(first_reply_ns "$mac_n2" "$t_rm")
[[ -n "$t_reply" ]] || fail "b) the client never got a reply from n2 ($mac_n2) after the removal"
handover_ms=$(ms_between "$t_fail" "$t_reply")
fault_total=$(ms_between "$t_rm" "$t_reply")
log "b) removal -> check failing $(ms_between "$t_rm" "$t_fail") ms -> n2 answers ${handover_ms} ms;" \
  "removal -> n2 answers ${fault_total} ms; client outage ${PROBE_MAX_GAP_MS} ms, duplicates ${PROBE_DUPLICATES}"
lt "$PROBE_TAIL_GAP_MS" 200 || fail "b) the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
((handover_ms < max_handover_ms)) ||
  fail "b) n2 answered ${handover_ms} ms after n1's check failed (>= ${max_handover_ms} ms: no fast handover?)"
lt "$PROBE_MAX_GAP_MS" "$max_handover_ms" || fail "b) outage ${PROBE_MAX_GAP_MS} ms >= ${max_handover_ms} ms"
result fault_outage_ms "$PROBE_MAX_GAP_MS"
result fault_removal_to_peer_reply_ms "$fault_total"
result fault_check_failing_to_peer_reply_ms "$handover_ms"

log "b) recreating b.ok: n1 must become MASTER again"
t_touch=$(now_ns)
touch "$HEALTH/b.ok"
wait_until 5 state_and_holders n1 MASTER n1 ||
  fail "b) n1 did not become MASTER again within 5 s, n1 $(status_field n1 state), holders: '$(vip_holders)'"
log "b) n1 is MASTER again $(ms_between "$t_touch" "$(now_ns)") ms after b.ok came back"

# ---------------------------------------------------------------- c) hanging checks

log "c) n3 (priority 200) with two hanging checks"
from=$(log_lines n3)
node_start n3
samples=0 seen_pids=() max_age=0 worst=""
declare -A seen=()
end=$((${EPOCHREALTIME/./} + 3000000)) # microseconds; no fork, so the samples stay ~20 ms apart
while ((${EPOCHREALTIME/./} < end)); do
  while read -r pid ppid pgid age cmd; do
    [[ -n "$pid" ]] || continue
    [[ -n "${seen[$pid]:-}" ]] || { seen[$pid]=1; seen_pids+=("$pid:$ppid:$pgid:$cmd"); }
    [[ "$pgid" != "${NODE_PID[n3]}" ]] || fail "c) check process $pid ($cmd) runs in floatd's own process group"
    if ((age > max_age)); then max_age=$age worst="$pid ($cmd, parent $ppid, group $pgid)"; fi
  done < <(check_processes n3)
  ((max_age < max_check_life_ms)) ||
    fail "c) check process $worst alive ${max_age} ms (timeout $check_timeout, limit ${max_check_life_ms} ms)"
  ((samples % 5)) || holders_are n1 || fail "c) holders changed to '$(vip_holders)' while n3's checks hang"
  samples=$((samples + 1))
  sleep 0.02
done
node_alive n3 || fail "c) n3 exited"
state_is n3 FAULT || fail "c) n3 is $(status_field n3 state), want FAULT (its checks never pass)"
for c in hang hangfork; do
  log_time_ns n3 "$from" "check '$c' is now failing: timed out" >/dev/null ||
    fail "c) n3 did not log check '$c' as failing by timeout"
done
direct=0 forked=0
for s in "${seen_pids[@]}"; do
  IFS=: read -r pid ppid pgid cmd <<<"$s"
  [[ "$ppid" == "${NODE_PID[n3]}" ]] && direct=$((direct + 1))
  [[ "$cmd" == "/bin/sleep 31" ]] && forked=$((forked + 1))
done
log "c) ${#seen_pids[@]} check processes seen in $samples samples (children of floatd: $direct," \
  "forked grandchildren: $forked); oldest ${max_age} ms; n3 $(status_field n3 state), holders '$(vip_holders)'"
((direct >= 4)) || fail "c) only $direct check runs seen in 3 s (interval $check_interval)"
((forked >= 1)) || fail "c) never saw the forked 'sleep 31' of check 'hangfork'"
result hang_check_oldest_process_ms "$max_age"
node_stop n3 5
[[ "${NODE_EXIT[n3]}" == 0 ]] || fail "c) n3 exited with ${NODE_EXIT[n3]} after SIGTERM"
ns_empty() { [[ -z "$(ip netns pids "${NODE_NS[$1]}" 2>/dev/null)" ]]; }
wait_until 1 ns_empty n3 ||
  fail "c) check processes outlived n3: $(ip netns pids "${NODE_NS[n3]}" | tr '\n' ' ')"
holders_are n1 || fail "c) holders at the end: '$(vip_holders)'"

pass "checks: a) -100 moved the VIP (removal -> n2 ${demote_total} ms, outage ${demote_outage} ms) and back;" \
  "b) FAULT handover ${handover_ms} ms after the check failed; c) hanging checks killed (oldest ${max_age} ms), n3 in FAULT"

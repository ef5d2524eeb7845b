#!/usr/bin/env bash
# A flood of hostile adverts at a live pair (issue 7 item 8): n1 (150, MASTER) and n2 (100)
# serve a client that pings the VIP every 5 ms, while an injector namespace sends
# E2E_FLOOD_RATE (10,000) adverts per second for E2E_FLOOD_SECONDS (10) to 224.0.0.18
# (tools/advert_flood.cpp, a round robin of: TTL 254, bad checksum, truncated, too short,
# VRRPv2, wrong type, bad address count, zero interval, an unknown VRID, and a correct advert
# for our VRID at priority 1 from an unknown source; never a higher priority: VRRP without
# authentication cannot refuse that).
# Asserts, over the flood: no state change on either node (log lines and metrics); the VIP
# on n1 alone at every sample, and no address event for it on either node; the client's
# longest gap < E2E_FLOOD_MAX_GAP_MS (200); each floatd's CPU time (utime+stime) <
# E2E_FLOOD_MAX_CPU_PCT (50) % of one core; few "dropped advert" log lines per node (<
# E2E_FLOOD_MAX_LOG_LINES, 20: floatd logs the first drop of each reason, then at most one
# line per reason and minute); the drop counters of `floatctl metrics` account for >= 90%
# of the hostile adverts, less what the kernel dropped before floatd read them (a full
# socket buffer: counted, reported, acceptable).
# Expected, bounded work: the master answers each priority-1 advert with one advert (RFC
# 9568: assert the master role at once; at most one each, asserted) and re-announces its
# VIPs at most once per advert interval (gratuitous ARP).
# Results: achieved rate, CPU per node, log lines, drop counts, kernel drops, answers.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[flood] SKIP: reads floatd's metrics (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init flood "$@"
floatctl_init
RATE=${E2E_FLOOD_RATE:-10000}
SECS=${E2E_FLOOD_SECONDS:-10}
MAX_GAP_MS=${E2E_FLOOD_MAX_GAP_MS:-200}
MAX_CPU_PCT=${E2E_FLOOD_MAX_CPU_PCT:-50}
MAX_LOG_LINES=${E2E_FLOOD_MAX_LOG_LINES:-20}
FLOOD=${ADVERT_FLOOD:-$(dirname "$VIP_PROBE")/advert_flood}
FLOOD_OUT="$E2E_WORK/inject.log"
[[ -x "$FLOOD" ]] || fail "advert_flood binary '$FLOOD' not found (next to vip_probe, or ADVERT_FLOOD=)"
lt "$SECS" 31 || fail "E2E_FLOOD_SECONDS=$SECS: at most 30 (the scenario deadline)"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
add_client injector 192.0.2.250
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
wait_until 3 instance_state_is n2 web BACKUP || fail "n2 is not BACKUP: '$(instance_field n2 web state)'"
sleep 1

# cpu_ticks NAME: utime+stime of the node's floatd, in clock ticks (after the ")" of comm).
cpu_ticks() {
  local stat
  stat=$(<"/proc/${NODE_PID[$1]}/stat")
  awk '{ print $12 + $13 }' <<<"${stat##*) }"
}
# metrics_of NAME WHEN: save the node's `floatctl metrics` as WHEN (before, after);
# metric NAME METRIC LABEL_MATCH WHEN: the sum of its METRIC samples whose labels contain
# LABEL_MATCH ("" for all).
metrics_of() { ctl "$1" metrics >"$E2E_WORK/$1.metrics.$2" || fail "floatctl metrics on $1 failed"; }
metric() {
  awk -v m="$2" -v l="${3:-}" 'index($1, m "{") == 1 && index($1, l) { s += $2 } END { printf "%d", s }' "$E2E_WORK/$1.metrics.$4"
}
# raw_drops NAME: what the kernel dropped at the node's IP protocol 112 sockets (receive
# buffer full: /proc/net/raw, last column), and link_drops NAME: drops on the way (the
# node's eth0 receive side, its bridge port's transmit side).
raw_drops() {
  # shellcheck disable=SC2016 # an awk program
  ip netns exec "${NODE_NS[$1]}" awk '$2 ~ /:0070$/ { s += $NF } END { printf "%d", s }' /proc/net/raw
}
link_drops() {
  local rx tx
  rx=$(ip netns exec "${NODE_NS[$1]}" cat /sys/class/net/eth0/statistics/rx_dropped)
  tx=$(ip netns exec "$E2E_SW" cat "/sys/class/net/p-$1/statistics/tx_dropped")
  echo $((rx + tx))
}
drop_lines() { grep -c 'dropped advert' "${NODE_LOG[$1]}" || true; }
# shellcheck disable=SC2317 # called through hold_for
unchanged() { holders_are n1 && [[ "$(transitions n1) $(transitions n2)" == "$t1 $t2" ]]; }

probe_start $((SECS + 15))
t1=$(transitions n1) t2=$(transitions n2)
declare -A cpu0 cpu1 raw0 link0 lines0
for n in n1 n2; do
  metrics_of "$n" before
  raw0[$n]=$(raw_drops "$n") link0[$n]=$(link_drops "$n") lines0[$n]=$(drop_lines "$n")
done
# Every address change on the nodes during the flood (sampling alone could miss a blip): the
# monitors run in the nodes' namespaces, so the harness's cleanup stops them on failure too.
declare -A MON_PID
for n in n1 n2; do
  ip -n "${NODE_NS[$n]}" -o monitor address >"$E2E_WORK/$n.address-events" 2>&1 &
  MON_PID[$n]=$!
done
sleep 0.2
for n in n1 n2; do cpu0[$n]=$(cpu_ticks "$n"); done

log "flooding: $RATE adverts/s for $SECS s from the injector (192.0.2.250)"
ip netns exec "${NODE_NS[injector]}" "$FLOOD" --iface eth0 --src 192.0.2.250 --vrid "$VRID" \
  --vip "$VIP" --rate "$RATE" --duration "$SECS" >"$FLOOD_OUT" 2>&1 &
FLOOD_PID=$!
samples=0
end=$(($(date +%s%N) + $(_secs_to_ns "$SECS") + 5000000000))
while _any_alive "$FLOOD_PID"; do # bounded: the tool stops after $SECS s; we give it 5 more
  (($(date +%s%N) < end)) || fail "advert_flood still running 5 s after its duration"
  # (the state changes are counted after: a log line stays; the monitors catch any blip)
  holders_are n1 || fail "during the flood (sample $samples): holders '$(vip_holders)'"
  samples=$((samples + 1))
  sleep 0.02
done
wait "$FLOOD_PID" || fail "advert_flood failed: $(tail -n 5 "$FLOOD_OUT")"
for n in n1 n2; do cpu1[$n]=$(cpu_ticks "$n"); done
summary=$(tail -n 1 "$FLOOD_OUT")
[[ "$summary" == sent=* ]] || fail "advert_flood printed no summary: $(tail -n 5 "$FLOOD_OUT")"
log "advert_flood: $summary"
declare -A F=()
for kv in $summary; do F[${kv%%=*}]=${kv#*=}; done
log "the VIP stayed on n1 alone, no state change, at $samples samples during the flood"
result samples_during_flood "$samples"

# Settle: what is queued gets read, nothing changes afterwards either.
hold_for 1 unchanged || fail "after the flood: holders '$(vip_holders)'," \
  "transition lines n1 $t1 -> $(transitions n1), n2 $t2 -> $(transitions n2)"
probe_stop
for n in n1 n2; do
  _any_alive "${MON_PID[$n]}" || fail "the address monitor of $n ended early: $(head -n 3 "$E2E_WORK/$n.address-events")"
  kill -TERM "${MON_PID[$n]}" 2>/dev/null || true
  wait "${MON_PID[$n]}" 2>/dev/null || true
  events=$(grep -F " $VIP/" "$E2E_WORK/$n.address-events" || true)
  [[ -z "$events" ]] || fail "the VIP moved on $n during the flood: $events"
done
log "no address event for the VIP on either node during the flood"
for n in n1 n2; do
  node_alive "$n" || fail "$n's floatd died during the flood"
  metrics_of "$n" after
done
instance_state_is n1 web MASTER || fail "n1 is $(instance_field n1 web state), not MASTER"
instance_state_is n2 web BACKUP || fail "n2 is $(instance_field n2 web state), not BACKUP"

# ---- results and bounds
sent=${F[sent]}
hostile=$((sent - ${F[sent_low_priority]:-0}))
result achieved_rate_per_s "${F[rate_per_s]}"
result sent "$sent"
result send_errors "${F[errors]}"
result client_max_gap_ms "$PROBE_MAX_GAP_MS"
# CPU time over the flood's own duration (conservative: the ticks also cover the last sample).
window_ms=${F[elapsed_ms]%.*}
hz=$(getconf CLK_TCK)
# The drop reason each kind of advert must be counted under.
declare -A reasons=([bad_ttl]=ttl [bad_checksum]=checksum [bad_length]="truncated count"
  [too_short]=short [bad_version]=version [bad_type]=type [zero_interval]=zero_interval
  [unknown_vrid]=unknown_vrid)
problems=()
for n in n1 n2; do
  cpu_pct=$(awk -v t=$((cpu1[$n] - cpu0[$n])) -v hz="$hz" -v ms="$window_ms" \
    'BEGIN { printf "%.1f", 100 * t / hz / (ms / 1000) }')
  result "${n}_cpu_pct_of_one_core" "$cpu_pct"
  lt "$cpu_pct" "$MAX_CPU_PCT" || problems+=("$n used $cpu_pct% of one core during the flood (bound $MAX_CPU_PCT%)")

  lines=$(($(drop_lines "$n") - lines0[$n]))
  result "${n}_drop_log_lines" "$lines"
  ((lines < MAX_LOG_LINES)) || problems+=("$n logged $lines 'dropped advert' lines for $sent adverts (bound $MAX_LOG_LINES)")

  dropped=$(($(metric "$n" floatd_adverts_dropped_total "" after) - $(metric "$n" floatd_adverts_dropped_total "" before)))
  raw=$(($(raw_drops "$n") - raw0[$n])) link=$(($(link_drops "$n") - link0[$n]))
  kernel=$((raw + link))
  result "${n}_dropped_by_floatd" "$dropped"
  result "${n}_dropped_by_kernel_socket_buffer" "$raw"
  result "${n}_dropped_by_kernel_link" "$link"
  per_reason=""
  for r in bad_ttl bad_checksum bad_length too_short bad_version bad_type zero_interval unknown_vrid; do
    d=$(($(metric "$n" floatd_adverts_dropped_total "reason=\"$r\"" after) - $(metric "$n" floatd_adverts_dropped_total "reason=\"$r\"" before)))
    per_reason+=" $r=$d"
    expected=0
    for k in ${reasons[$r]}; do expected=$((expected + ${F[sent_$k]:-0})); done
    ((expected == 0 || d > 0)) || problems+=("$n counted no $r drop for $expected such adverts")
  done
  log "$n drops by reason:$per_reason"
  # >= 90% of the hostile adverts, less what the kernel dropped before floatd read them.
  ((10 * (dropped + kernel) >= 9 * hostile)) ||
    problems+=("$n's drop counters account for $dropped (+ $kernel in the kernel) of $hostile hostile adverts")
  received=$(($(metric "$n" floatd_adverts_received_total "" after) - $(metric "$n" floatd_adverts_received_total "" before)))
  result "${n}_adverts_received" "$received"
  changes=$(($(metric "$n" floatd_transitions_total "" after) - $(metric "$n" floatd_transitions_total "" before)))
  result "${n}_transitions_total_delta" "$changes"
  ((changes == 0)) || problems+=("$n's floatd_transitions_total grew by $changes")
done
# The master answers each priority-1 advert with one advert of its own (RFC 9568: assert the
# master role at once); its own rhythm adds one per advert interval (100 ms). No more.
answers=$(($(metric n1 floatd_adverts_sent_total "" after) - $(metric n1 floatd_adverts_sent_total "" before)))
result n1_adverts_sent "$answers"
limit=$((${F[sent_low_priority]:-0} + 20 * (window_ms / 1000 + 2)))
((answers <= limit)) || problems+=("n1 sent $answers adverts for ${F[sent_low_priority]:-0} priority-1 adverts (more than one each)")
lt "$PROBE_MAX_GAP_MS" "$MAX_GAP_MS" || problems+=("the client's longest gap was $PROBE_MAX_GAP_MS ms (bound $MAX_GAP_MS)")
if ((${#problems[@]})); then
  fail "$(printf '%s; ' "${problems[@]}")"
fi
pass "$sent hostile adverts at ${F[rate_per_s]}/s: no state change, VIP on n1 only, longest gap ${PROBE_MAX_GAP_MS} ms"

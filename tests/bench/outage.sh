#!/usr/bin/env bash
# Outage seen by a client: a client pings the VIP every BENCH_PROBE_MS (2 ms) while the
# master (n1, priority 150) loses its link or is stopped with SIGTERM, and the backup (n2,
# priority 100) takes over. The outage is the longest gap between two replies (vip_probe's
# max_gap_ms). Cases: link_loss and graceful, at each advert interval of BENCH_ADVERTS
# ("100 20" ms). Trials alternate floatd and keepalived on the same testbed.
#
# The physical limit of each trial is recorded too, from a capture in the client's namespace
# (kernel timestamps): the master's last advert + the backup's master-down interval (link
# loss) or skew time (graceful stop), measured from the start of the gap; excess_ms =
# outage - limit is what the agent adds (reaction, VIP install, announcement, the client's
# next echo): the same comparison without the phase noise of the link cut.
#
# Rows: outage,<event>_<adv>ms,<speaker>,<trial>,outage_ms|limit_ms|excess_ms|duplicates|
#       status,<value>
# shellcheck disable=SC2119 # add_client: its arguments are optional
# shellcheck source=tests/bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init outage

probe_ms=${BENCH_PROBE_MS:-2}
read -r -a adverts <<<"${BENCH_ADVERTS:-100 20}"
read -r -a events <<<"${BENCH_EVENTS:-link_loss graceful}"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client

stop_capture() { # PID: stop tcpdump (bounded), reap it
  kill -INT "$1" 2>/dev/null
  wait_until 5 _not_alive "$1" || kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# trial SPEAKER EVENT ADV_MS TRIAL: one failover; records the outage or why there is none.
trial() {
  local speaker=$1 event=$2 adv=$3 n=$4 case="$2_$3ms"
  bench_use "$speaker"
  bench_config n1 150 "$adv" single
  bench_config n2 100 "$adv" single
  bench_start n1
  if ! wait_until 5 holders_are n1; then
    log "$case $speaker #$n: n1 did not take the VIP within 5 s"
    record "$case" "$speaker" "$n" status no_initial_master
    return 1
  fi
  bench_start n2
  if ! wait_until 5 in_backup n2; then
    log "$case $speaker #$n: n2 did not enter BACKUP within 5 s"
    record "$case" "$speaker" "$n" status no_backup
    return 1
  fi
  if ! bench_probe_start "$probe_ms" 30; then
    log "$case $speaker #$n: the client cannot reach the VIP"
    record "$case" "$speaker" "$n" status no_client_reply
    return 1
  fi
  # The adverts and the echo replies as the client sees them (kernel timestamps): the
  # master's last advert tells the part of the outage that no agent can avoid.
  local cap="$E2E_WORK/capture.txt" cap_pid
  ip netns exec "${NODE_NS[client]}" tcpdump -i eth0 -n -tt -l -B 8192 \
    'ip proto 112 or (icmp and src host '"$VIP"')' >"$cap" 2>"$cap.err" &
  cap_pid=$!
  wait_until 5 grep -q 'listening on' "$cap.err" || log "$case $speaker #$n: tcpdump not ready"
  # Baseline window, longer than the master-down interval: a backup that does not hear the
  # master would take the VIP during it (checked right after).
  sleep 0.5
  if ! holders_are n1; then
    log "$case $speaker #$n: holders before the failover: '$(vip_holders)'"
    record "$case" "$speaker" "$n" status split_brain
    bench_probe_stop || true
    stop_capture "$cap_pid"
    return 1
  fi
  if [[ "$event" == link_loss ]]; then
    link_down n1
  else
    node_signal n1 TERM
  fi
  local ok=1
  wait_until 5 node_has_vip n2 || { log "$case $speaker #$n: n2 did not take the VIP within 5 s"; ok=0; }
  if [[ "$event" == graceful ]]; then
    node_reap n1 10 || { log "$case $speaker #$n: n1 still running 10 s after SIGTERM"; ok=0; }
  fi
  wait_until 3 _client_reaches_vip || { log "$case $speaker #$n: client gets no reply after the takeover"; ok=0; }
  sleep 0.3 # the probe sees the VIP answer again for a while
  bench_probe_stop || ok=0
  stop_capture "$cap_pid"
  if ((ok == 0)); then
    record "$case" "$speaker" "$n" status failed
    return 1
  fi
  record "$case" "$speaker" "$n" outage_ms "$PROBE_MAX_GAP_MS"
  record "$case" "$speaker" "$n" duplicates "$PROBE_DUPLICATES"
  # From the capture: the longest gap between two echo replies (the outage, as the probe
  # saw it) and n1's last advert before its end. The backup may take over no sooner than
  # that advert + its master-down interval (link loss) or + its skew time (graceful stop,
  # the advert is the priority-0 one): limit_ms is the outage an agent adding nothing would
  # cause, excess_ms = outage - limit what the agent added (reaction, VIP install,
  # announcement) plus the client's next echo (< 2 ms).
  local wait_ms limit="" excess=""
  if [[ "$event" == link_loss ]]; then wait_ms=$(master_down_ms "$adv" 100); else
    wait_ms=$(awk -v a="$adv" 'BEGIN { printf "%.3f", (256 - 100) / 256 * a }')
  fi
  read -r limit excess < <(awk -v vip="$VIP" -v wait="$wait_ms" '
    $2 == "IP" && $3 == vip && /ICMP echo reply/ {
      if (prev != "" && $1 - prev > gap) { gap = $1 - prev; start = prev; end = $1 }
      prev = $1; next }
    $2 == "IP" && $3 == "192.0.2.1" && /VRRP/ { adv[++n] = $1 }
    END {
      for (i = n; i > 0; i--) if (adv[i] <= end) { last = adv[i]; break }
      if (gap > 0 && last != "") printf "%.1f %.1f\n", (last + wait / 1000 - start) * 1000, (end - last - wait / 1000) * 1000
    }' "$cap")
  if [[ -n "$limit" ]]; then
    record "$case" "$speaker" "$n" limit_ms "$limit"
    record "$case" "$speaker" "$n" excess_ms "$excess"
  fi
  log "$case $speaker #$n: outage $PROBE_MAX_GAP_MS ms (limit ${limit:-?} ms, excess ${excess:-?} ms; duplicates $PROBE_DUPLICATES)"
}

failures=0
for adv in "${adverts[@]}"; do
  for event in "${events[@]}"; do
    for ((t = 1; t <= BENCH_TRIALS; t++)); do
      for speaker in $(bench_order "$t"); do
        trial "$speaker" "$event" "$adv" "$t" || failures=$((failures + 1))
        bench_stop_all || true
        ((failures <= 5)) || fail "more than 5 failed trials: giving up"
      done
    done
  done
done
pass "outage: $((${#adverts[@]} * ${#events[@]} * BENCH_TRIALS)) trials per agent, $failures failed"

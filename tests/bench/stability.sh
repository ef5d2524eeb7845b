#!/usr/bin/env bash
# Stability at 20 ms adverts: master (n1, 150) and backup (n2, 100) with BENCH_STAB_INSTANCES
# (1) instance(s) run for BENCH_STAB_WINDOW_S while BENCH_BUSY (1) CPU-bound loops keep the
# other core(s) busy (each pinned to one CPU, counted from the last; bounded by the window,
# killed by PID). A spurious transition is any state change either node logs during the
# window (after the start-up ones). The client pings the VIP every 5 ms meanwhile: its
# longest gap and its duplicate replies (the VIP on both nodes) are recorded too, and how
# late the client itself ran (client_stalled_ms: the 5 ms echo slots it missed; seconds of
# them mean the whole machine stalled, which no agent survives unscathed).
#
# Rows: stability,adv=20ms,<speaker>,<trial>,spurious_transitions|max_gap_ms|duplicates|
#       client_stalled_ms|window_s
# shellcheck disable=SC2119 # add_client: its arguments are optional
# shellcheck source=tests/bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init stability

window=${BENCH_STAB_WINDOW_S:-60}
busy=${BENCH_BUSY:-1}
ninst=${BENCH_STAB_INSTANCES:-1}
adv=${BENCH_STAB_ADVERT_MS:-20}
ncpu=$(nproc)

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client

trial() {
  local speaker=$1 n=$2 case="adv=${adv}ms"
  bench_use "$speaker"
  if ((ninst == 1)); then
    bench_config n1 150 "$adv" single
    bench_config n2 100 "$adv" single
  else
    bench_config n1 150 "$adv" instances "$ninst"
    bench_config n2 100 "$adv" instances "$ninst"
  fi
  bench_start n1
  wait_until 10 holders_are n1 || { record "$case" "$speaker" "$n" status no_initial_master; return 1; }
  bench_start n2
  wait_until 10 in_backup n2 || { record "$case" "$speaker" "$n" status no_backup; return 1; }
  bench_probe_start 5 "$(awk -v w="$window" 'BEGIN { printf "%d", w + 20 }')" ||
    { record "$case" "$speaker" "$n" status no_client_reply; return 1; }
  local before after i
  before=$(($(transition_count n1) + $(transition_count n2)))
  for ((i = 0; i < busy; i++)); do
    busy_start "$((window + 5))" "$(((ncpu - 1 - i + ncpu) % ncpu))"
  done
  sleep "$window"
  busy_stop
  after=$(($(transition_count n1) + $(transition_count n2)))
  bench_probe_stop || { record "$case" "$speaker" "$n" status failed; return 1; }
  if ((after > before)); then # what happened, for the log
    local node
    for node in n1 n2; do
      run_log "$node" | grep -E 'Entering (MASTER|BACKUP|FAULT) STATE|(INIT|BACKUP|MASTER|FAULT) -> ' |
        tail -n +2 | tail -n 20 | sed "s/^/  $node: /"
    done
  fi
  record "$case" "$speaker" "$n" spurious_transitions "$((after - before))"
  record "$case" "$speaker" "$n" max_gap_ms "$PROBE_MAX_GAP_MS"
  record "$case" "$speaker" "$n" duplicates "$PROBE_DUPLICATES"
  # The probe skips the echo slots it was not scheduled in time for: missing echoes mean the
  # client itself (and, when they add up to seconds, the machine) stalled, not the VIP.
  local stalled; log "probe: $(tail -n1 "$PROBE_OUT")"
  stalled=$(awk -v e="$PROBE_ELAPSED_MS" -v s="$PROBE_SENT" 'BEGIN { x = e - 5 * s; printf "%.0f", (x > 0 ? x : 0) }')
  record "$case" "$speaker" "$n" client_stalled_ms "$stalled"
  record "$case" "$speaker" "$n" window_s "$window"
  log "$case $speaker #$n: $((after - before)) spurious transitions in ${window}s with $busy busy loop(s); client max gap $PROBE_MAX_GAP_MS ms, $PROBE_DUPLICATES duplicates, ${stalled} ms of echo slots the client missed; holders now '$(vip_holders)'"
}

failures=0
for ((t = 1; t <= BENCH_TRIALS; t++)); do
  for speaker in $(bench_order "$t"); do
    trial "$speaker" "$t" || failures=$((failures + 1))
    bench_stop_all || true
  done
done
pass "stability: $BENCH_TRIALS trials per agent, $failures failed"

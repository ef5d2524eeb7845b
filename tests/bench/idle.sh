#!/usr/bin/env bash
# Idle cost: master (n1, priority 150) and backup (n2, priority 100) with N instances
# (BENCH_INSTANCES: "1 100 255"; VRIDs 1..N on eth0, instance k holds 198.18.0.k/32) at
# 100 ms adverts. Once n1 holds every VIP and n2 none, and the start-up announcements are
# over (BENCH_WARMUP_S), CPU is read over a fixed window (BENCH_WINDOW_S) for every process
# of each agent (keepalived's parent and its VRRP child; floatd is one process): utime+stime
# from /proc/PID/stat (clock ticks: 10 ms resolution) and the time on CPU from
# /proc/PID/task/*/schedstat (ns). Memory at the end of the window: the sum of Rss and of Pss
# (/proc/PID/smaps_rollup; Pss shares pages between keepalived's processes fairly).
#
# Rows: idle,n=<N>,<speaker>,<trial>,<metric>,<value> with metrics
#   {master,backup}_cpu_ms (utime+stime over the window), {master,backup}_cpu_pct
#   (schedstat, % of one core), {master,backup}_rss_kb, {master,backup}_pss_kb,
#   {master,backup}_procs, startup_ms (n1 started -> every VIP on n1), window_s (measured),
#   transitions_in_window (should be 0), status
# shellcheck disable=SC2119 # add_client: its arguments are optional
# shellcheck source=tests/bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init idle

window=${BENCH_WINDOW_S:-10}
warmup=${BENCH_WARMUP_S:-2}
read -r -a sizes <<<"${BENCH_INSTANCES:-1 100 255}"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client

trial() {
  local speaker=$1 count=$2 n=$3 case="n=$2"
  bench_use "$speaker"
  bench_config n1 150 100 instances "$count"
  bench_config n2 100 100 instances "$count"
  local t0
  t0=$(now_ns)
  bench_start n1
  # Start-up: n1 waits a master-down interval (~340 ms) before it takes the VIPs.
  if ! wait_until 30 vip_count_is n1 "$count"; then
    log "$case $speaker #$n: n1 holds $(vip_count n1) of $count VIPs after 30 s"
    record "$case" "$speaker" "$n" status no_initial_master
    return 1
  fi
  record "$case" "$speaker" "$n" startup_ms "$(ms_since "$t0")"
  bench_start n2
  if ! wait_until 10 in_backup n2; then
    log "$case $speaker #$n: n2 did not enter BACKUP within 10 s"
    record "$case" "$speaker" "$n" status no_backup
    return 1
  fi
  sleep "$warmup" # announcements (3 rounds, 100 ms apart) and start-up work end
  if ! vip_count_is n2 0 || ! vip_count_is n1 "$count"; then
    log "$case $speaker #$n: VIPs n1=$(vip_count n1) n2=$(vip_count n2) (want $count and 0)"
    record "$case" "$speaker" "$n" status split_brain
    return 1
  fi
  local -a p1 p2
  mapfile -t p1 < <(agent_pids n1)
  mapfile -t p2 < <(agent_pids n2)
  local before1 before2 after1 after2 w0 w1 tr1 tr2
  tr1=$(($(transition_count n1) + $(transition_count n2)))
  w0=$(now_ns)
  before1=$(cpu_sample "${p1[@]}")
  before2=$(cpu_sample "${p2[@]}")
  sleep "$window"
  after1=$(cpu_sample "${p1[@]}")
  after2=$(cpu_sample "${p2[@]}")
  w1=$(now_ns)
  tr2=$(($(transition_count n1) + $(transition_count n2)))
  local role pids before after mem cpu pct summary=""
  for role in master backup; do
    if [[ $role == master ]]; then
      pids=("${p1[@]}") before=$before1 after=$after1
    else
      pids=("${p2[@]}") before=$before2 after=$after2
    fi
    read -r -a b <<<"$before"
    read -r -a a <<<"$after"
    mem=$(mem_sample "${pids[@]}")
    cpu=$(((a[0] - b[0]) * 1000 / BENCH_CLK_TCK))
    pct=$(awk -v c="$((a[1] - b[1]))" -v w="$((w1 - w0))" 'BEGIN { printf "%.3f", 100 * c / w }')
    record "$case" "$speaker" "$n" "${role}_cpu_ms" "$cpu"
    record "$case" "$speaker" "$n" "${role}_cpu_pct" "$pct"
    record "$case" "$speaker" "$n" "${role}_rss_kb" "${mem% *}"
    record "$case" "$speaker" "$n" "${role}_pss_kb" "${mem#* }"
    record "$case" "$speaker" "$n" "${role}_procs" "${#pids[@]}"
    summary+=" $role: ${cpu} ms CPU (${pct}%), RSS ${mem% *} kB, PSS ${mem#* } kB, ${#pids[@]} proc;"
  done
  record "$case" "$speaker" "$n" window_s "$(awk -v w="$((w1 - w0))" 'BEGIN { printf "%.3f", w / 1e9 }')"
  record "$case" "$speaker" "$n" transitions_in_window "$((tr2 - tr1))"
  log "$case $speaker #$n (${window}s):$summary"
}

failures=0
for count in "${sizes[@]}"; do
  for ((t = 1; t <= BENCH_TRIALS; t++)); do
    for speaker in $(bench_order "$t"); do
      trial "$speaker" "$count" "$t" || failures=$((failures + 1))
      bench_stop_all || true
      ((failures <= 3)) || fail "more than 3 failed trials: giving up"
    done
  done
done
pass "idle: ${#sizes[@]} sizes x $BENCH_TRIALS trials per agent, $failures failed"

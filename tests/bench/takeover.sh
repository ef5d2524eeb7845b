#!/usr/bin/env bash
# Takeover of one instance with N VIPs, 198.18.(1 + i/200).(1 + i%200)/32, for each N of
# BENCH_VIPS ("1000 255": 255 is the most one advert can list, so 255 VIPs also measure an
# agent that cannot cope with more), at 100 ms adverts: n1 (priority 150) is master, n2
# (100) backup; n1's link is cut.
# Timed from netlink notifications, not polling: addr_watch (tools/addr_watch.cpp) runs in
# n2's namespace from before n2 starts (it would also see a start-up takeover if n2 does not
# hear n1), and tcpdump in the client namespace timestamps every gratuitous ARP. Times are from
# the moment n1's link is cut:
#   first_install_ms  the first VIP appears on n2
#   all_installed_ms  the last one appears (the takeover)
#   spread_ms         all_installed_ms - first_install_ms
#   all_announced_ms  every VIP has been announced (gratuitous ARP seen by the client) once
#   garps             gratuitous ARPs for the VIPs the client saw (until 0.5 s after the
#                     last VIP was announced once)
#   garp_vips         distinct VIPs among them; capture_drops: packets tcpdump lost;
#   overruns          notifications the watcher lost (its socket buffer overflowed)
# If n2 takes the VIPs before the link is cut (it does not hear n1: split brain), the row
# status=split_brain is written, and spread_ms is that start-up takeover's spread.
# shellcheck disable=SC2119 # add_client: its arguments are optional
# shellcheck source=tests/bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init takeover

read -r -a vip_counts <<<"${BENCH_VIPS:-1000 255}"
nvips=0
capture_s=${BENCH_CAPTURE_S:-2}
PY=${BENCH_PYTHON:-/usr/bin/python3}
if [[ -z "${ADDR_WATCH:-}" ]]; then # run.sh builds it; alone, we do
  ADDR_WATCH="$E2E_WORK/addr_watch"
  g++ -std=c++20 -O2 -o "$ADDR_WATCH" "$BENCH_DIR/tools/addr_watch.cpp" || fail "cannot build addr_watch"
fi
MON_PID=""
DUMP_PID=""

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client

# Address notifications in n2's namespace: addr_watch (tools/addr_watch.cpp) stamps each
# as it arrives, at a real-time priority so it is woken at once, and prints them when stopped.
monitor_start() {
  MON_OUT="$E2E_WORK/addr_watch.$1.txt"
  chrt -f 10 ip netns exec "${NODE_NS[n2]}" "$ADDR_WATCH" --duration 120 >"$MON_OUT" 2>"$MON_OUT.err" &
  MON_PID=$!
  wait_until 5 grep -q '^ready' "$MON_OUT.err"
}

# Gratuitous ARPs as the client sees them, with kernel timestamps.
capture_start() {
  DUMP_OUT="$E2E_WORK/arp.$1.txt"
  ip netns exec "${NODE_NS[client]}" tcpdump -i eth0 -n -tt -l -B 32768 arp \
    >"$DUMP_OUT" 2>"$DUMP_OUT.err" &
  DUMP_PID=$!
  wait_until 5 grep -q 'listening on' "$DUMP_OUT.err"
}

stop_pid() { # PID SIGNAL: stop one of our helpers, bounded
  [[ -n "$1" ]] || return 0
  kill "-$2" "$1" 2>/dev/null
  wait_until 5 _not_alive "$1" || kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# shellcheck disable=SC2317
announced_count() {
  grep -oE 'who-has (198\.1[89]\.[0-9.]+)( \([0-9a-f:]+\))? tell \1,' "$DUMP_OUT" |
    awk '{ print $2 }' | sort -u | wc -l
}
# shellcheck disable=SC2317
all_announced() { (($(announced_count) >= nvips)); }

# analyse T0_NS: the metrics (KEY=VALUE lines) from the watcher and the capture, from T0 on.
analyse() {
  "$PY" - "$1" "$MON_OUT" "$DUMP_OUT" <<'EOF'
import re, sys
t0 = int(sys.argv[1]) / 1e9
mon, dump = sys.argv[2], sys.argv[3]
adds, overruns = {}, 0
with open(mon) as f:
    for line in f:
        fields = line.split()
        if len(fields) >= 2 and fields[1] == 'overrun':
            overruns += 1
        elif len(fields) >= 3 and fields[1] == 'add' and re.match(r'198\.1[89]\.', fields[2]):
            ts = int(fields[0]) / 1e9
            if ts >= t0:
                adds.setdefault(fields[2].split('/')[0], ts)
garps, first_garp = 0, {}
with open(dump) as f:
    for line in f:
        m = re.match(r'(\d+\.\d+) ARP, Request who-has (198\.1[89]\.[0-9.]+)(?: \([0-9a-f:]+\))? tell (\S+),', line)
        if m and m.group(2) == m.group(3):  # a gratuitous ARP: sender == target
            ts = float(m.group(1))
            if ts < t0:
                continue
            garps += 1
            first_garp.setdefault(m.group(2), ts)
out = {'installed': len(adds), 'garps': garps, 'garp_vips': len(first_garp), 'overruns': overruns}
if adds:
    first, last = min(adds.values()), max(adds.values())
    out.update(first_install_ms=(first - t0) * 1e3, all_installed_ms=(last - t0) * 1e3,
               spread_ms=(last - first) * 1e3)
if first_garp:
    out.update(first_garp_ms=(min(first_garp.values()) - t0) * 1e3)
    if adds and set(adds) <= set(first_garp):
        out.update(all_announced_ms=(max(first_garp.values()) - t0) * 1e3)
for k, v in out.items():
    print(f'{k}={v:.1f}' if isinstance(v, float) else f'{k}={v}')
EOF
}

trial() {
  local speaker=$1 n=$2 case="vips=$nvips"
  bench_use "$speaker"
  bench_config n1 150 100 many "$nvips"
  bench_config n2 100 100 many "$nvips"
  bench_start n1
  if ! wait_until 30 vip_count_is n1 "$nvips"; then
    log "$case $speaker #$n: n1 holds $(vip_count n1) of $nvips VIPs after 30 s"
    record "$case" "$speaker" "$n" status no_initial_master
    return 1
  fi
  monitor_start "$speaker.$nvips.$n" || { log "addr_watch not ready"; record "$case" "$speaker" "$n" status tool_failed; return 1; }
  local t_start
  t_start=$(now_ns)
  bench_start n2
  if ! wait_until 10 in_backup n2; then
    log "$case $speaker #$n: n2 did not enter BACKUP within 10 s"
    record "$case" "$speaker" "$n" status no_backup
    return 1
  fi
  capture_start "$speaker.$nvips.$n" || { log "tcpdump not ready"; record "$case" "$speaker" "$n" status tool_failed; return 1; }
  # The master-down interval (~360 ms) and then some: a backup that does not hear the
  # master takes the VIPs meanwhile.
  sleep 1
  local -A m=()
  local kv
  if ! vip_count_is n2 0; then
    wait_until 10 vip_count_is n2 "$nvips" || true
    stop_pid "$DUMP_PID" INT; DUMP_PID=""
    stop_pid "$MON_PID" TERM; MON_PID=""
    for kv in $(analyse "$t_start"); do m[${kv%%=*}]=${kv#*=}; done
    log "$case $speaker #$n: split brain: n2 holds $(vip_count n2) VIPs before the failover (start-up spread ${m[spread_ms]:-?} ms)"
    record "$case" "$speaker" "$n" status split_brain
    [[ -n "${m[spread_ms]:-}" ]] && record "$case" "$speaker" "$n" spread_ms "${m[spread_ms]}"
    return 1
  fi
  local t0 ok=1
  t0=$(now_ns)
  link_down n1
  # (Polling only to know when to stop watching: the times come from the notifications.)
  wait_until 30 vip_count_is n2 "$nvips" || { log "$case $speaker #$n: n2 has $(vip_count n2) of $nvips VIPs after 30 s"; ok=0; }
  wait_until "$capture_s" all_announced || true
  sleep 0.5 # the rest of the announcements (floatd: 3 rounds, 100 ms apart)
  stop_pid "$DUMP_PID" INT; DUMP_PID=""
  stop_pid "$MON_PID" TERM; MON_PID=""
  local drops
  drops=$(grep -oE '[0-9]+ packets dropped by kernel' "$DUMP_OUT.err" | grep -oE '^[0-9]+' || echo -1)
  for kv in $(analyse "$t0"); do m[${kv%%=*}]=${kv#*=}; done
  if ((ok == 0)) || [[ -z "${m[all_installed_ms]:-}" ]]; then
    record "$case" "$speaker" "$n" status failed
    return 1
  fi
  ((m[installed] == nvips)) || log "$case $speaker #$n: the watcher saw ${m[installed]} of $nvips VIPs added (${m[overruns]} overruns)"
  local key
  for key in first_install_ms all_installed_ms spread_ms first_garp_ms all_announced_ms garps garp_vips overruns; do
    [[ -n "${m[$key]:-}" ]] && record "$case" "$speaker" "$n" "$key" "${m[$key]}"
  done
  record "$case" "$speaker" "$n" capture_drops "$drops"
  log "$case $speaker #$n: installed ${m[installed]} VIPs from ${m[first_install_ms]} to ${m[all_installed_ms]} ms (spread ${m[spread_ms]} ms); ${m[garps]} GARPs for ${m[garp_vips]} VIPs, all announced at ${m[all_announced_ms]:-never} ms; capture drops $drops"
}

failures=0
for nvips in "${vip_counts[@]}"; do
  for ((t = 1; t <= BENCH_TRIALS; t++)); do
    for speaker in $(bench_order "$t"); do
      trial "$speaker" "$t" || failures=$((failures + 1))
      stop_pid "$DUMP_PID" INT; DUMP_PID=""
      stop_pid "$MON_PID" TERM; MON_PID=""
      bench_stop_all || true
      ((failures <= 2 * BENCH_TRIALS * ${#vip_counts[@]})) || fail "too many failed trials: giving up"
    done
  done
done
pass "takeover: ${vip_counts[*]} VIPs, $BENCH_TRIALS trials per agent each, $failures failed"

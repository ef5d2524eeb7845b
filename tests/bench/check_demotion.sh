#!/usr/bin/env bash
# Health-check demotion (issue 9): how long from a check starting to fail on the master to
# the VIP answering on the backup. n1 (priority 150) tracks one check, `/usr/bin/test -e
# FILE`; n2 (priority 100) tracks nothing; 100 ms adverts; a client pings the VIP every
# BENCH_PROBE_MS (2 ms) and tcpdump in its namespace records the adverts and the echo
# replies with their source MAC (kernel timestamps). Per trial: n1 starts and takes the VIP
# (once its check has risen), n2 starts and logs BACKUP, 0.5 s of baseline + a random
# part of one check interval (a random phase against the check's runs), then FILE is
# removed (t = 0): the check starts to fail. Once n2 alone holds the VIP, 0.3 s + again a
# random part of one interval, and FILE is recreated. Measured from the capture:
#   total_ms     t = 0 -> the client's first echo reply from n2's MAC (the issue's metric)
#   detect_ms    t = 0 -> n1's first advert with a priority below 150 (50, or 0 when it
#                hands over): the check's interval x fall, its phase, the agent's reaction
#   handover_ms  that advert -> n2's first reply: the election's part (skew time, 60.9 ms,
#                after a priority-0 advert, and for floatd's n2 also after an advert of
#                its master demoted below n2's priority; else (keepalived, RFC 5798 6.4.2:
#                the lower-priority advert is discarded) n2 waits out its master-down
#                interval, 360.9 ms after n1's last priority-150 advert)
#   since_full_ms  n1's last priority-150 advert -> n2's first reply: when n2 waits out
#                its master-down interval, that wait from the advert n2's timer counts
#                from (360.9 ms + what the agents add; independent of when the agent sends
#                its demoted advert); when n2 takes over at its skew time, the gap to the
#                demoted advert (< 1 advert interval) + the skew time + the takeover
#   prio0        1 if n1 sent a priority-0 advert between t = 0 and n2's first reply (0
#                with weight -100 even when n2 takes over at once: n1 advertises 50)
#   outage_ms    the client's longest gap between two echo replies in that window
#   duplicates   vip_probe's duplicate replies over the whole trial
#   recovery_ms  FILE recreated -> the client's first reply from n1 again (rise, then n1
#                preempts n2); the trial waits (bounded) for it before the next one.
# Variants: fault (track weight 0: n1 goes to FAULT) and minus100 (weight -100: n1's
# priority drops to 50, below n2's 100). Check intervals BENCH_CHECK_INTERVALS ("1000 200"
# ms; keepalived 2.2.7's vrrp_script interval is whole seconds, so it runs the 1000 ms cases
# only), rise BENCH_CHECK_RISE (2), fall BENCH_CHECK_FALL (2). Trials alternate the agents.
#
# Rows: check_demotion,<variant>_<interval>ms,<speaker>,<trial>,<metric>,<value>; metrics
#       total_ms detect_ms handover_ms since_full_ms prio0 outage_ms duplicates recovery_ms
#       check_rise check_fall, or status (why a trial has no measurement)
# shellcheck disable=SC2119 # add_client: its arguments are optional
# shellcheck source=tests/bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init check_demotion

probe_ms=${BENCH_PROBE_MS:-2}
read -r -a intervals <<<"${BENCH_CHECK_INTERVALS:-1000 200}"
read -r -a variants <<<"${BENCH_DEMOTION_VARIANTS:-fault minus100}"
rise=${BENCH_CHECK_RISE:-2}
fall=${BENCH_CHECK_FALL:-2}
adv=100

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client

# The check runs as floatd's script user (floatd-script or nobody): it must reach the file.
# The work directory is 0700; let others traverse it (not list it) into a 0755 directory.
chmod 0711 "$E2E_WORK"
HEALTH="$E2E_WORK/health"
mkdir -m 0755 "$HEALTH"
OK_FILE="$HEALTH/n1.ok"

random_ms() { echo $(((RANDOM * 32768 + RANDOM) % $1)); } # 0 .. $1 - 1
sec_of_ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

mac_of() { ip -n "${NODE_NS[$1]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p'; }
MAC_N1=$(mac_of n1)
MAC_N2=$(mac_of n2)
log "n1 $MAC_N1, n2 $MAC_N2; adverts ${adv} ms; checks every ${intervals[*]} ms, rise $rise, fall $fall"

stop_capture() { # PID: stop tcpdump (bounded), reap it
  kill -INT "$1" 2>/dev/null
  wait_until 5 _not_alive "$1" || kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# abort_trial CASE SPEAKER N STATUS MESSAGE CAPTURE_PID: record why there is no measurement.
abort_trial() {
  log "$1 $2 #$3: $5 (holders: '$(vip_holders)')"
  record "$1" "$2" "$3" status "$4"
  [[ -n "$PROBE_PID" ]] && { bench_probe_stop || true; }
  [[ -n "$6" ]] && stop_capture "$6"
  return 1
}

# trial SPEAKER VARIANT INTERVAL_MS TRIAL
trial() {
  local speaker=$1 variant=$2 ival=$3 n=$4 case="$2_$3ms" weight
  case "$variant" in
    fault) weight=0 ;;
    minus100) weight=-100 ;;
    *) fail "unknown variant '$variant'" ;;
  esac
  bench_use "$speaker"
  touch "$OK_FILE"
  chmod 0644 "$OK_FILE"
  bench_config n1 150 "$adv" single
  bench_add_check n1 c "$weight" "$ival" "$rise" "$fall" /usr/bin/test -e "$OK_FILE" || fail "no check config for $speaker"
  bench_config n2 100 "$adv" single
  # Bounds: the check must rise (rise x interval, its first run may wait an interval), then
  # n1 waits its master-down interval; generous slack for a busy machine.
  local rise_s=$(((rise + 1) * ival / 1000 + 5)) fall_s=$(((fall + 1) * ival / 1000 + 5))
  bench_start n1
  wait_until "$rise_s" holders_are n1 ||
    { abort_trial "$case" "$speaker" "$n" no_initial_master "n1 did not take the VIP within $rise_s s" ""; return 1; }
  bench_start n2
  wait_until 5 in_backup n2 ||
    { abort_trial "$case" "$speaker" "$n" no_backup "n2 did not enter BACKUP within 5 s" ""; return 1; }
  bench_probe_start "$probe_ms" 120 ||
    { abort_trial "$case" "$speaker" "$n" no_client_reply "the client cannot reach the VIP" ""; return 1; }
  local cap="$E2E_WORK/capture.txt" cap_pid
  ip netns exec "${NODE_NS[client]}" tcpdump -i eth0 -n -e -tt -l -B 8192 \
    'ip proto 112 or (icmp and src host '"$VIP"')' >"$cap" 2>"$cap.err" &
  cap_pid=$!
  wait_until 5 grep -q 'listening on' "$cap.err" || log "$case $speaker #$n: tcpdump not ready"
  # Baseline: longer than n2's master-down interval (a deaf n2 would take the VIP), plus a
  # random part of one check interval, so that t = 0 falls at a random phase of the check's
  # runs (the start-up waits alone need not spread it over a whole interval).
  local base_ms=$((500 + $(random_ms "$ival")))
  sleep "$(sec_of_ms "$base_ms")"
  holders_are n1 ||
    { abort_trial "$case" "$speaker" "$n" split_brain "split brain before the removal" "$cap_pid"; return 1; }

  # t = 0: the check starts to fail (the stamp is taken before rm forks: conservative).
  local t_rm=$EPOCHREALTIME
  rm -f "$OK_FILE"
  wait_until "$fall_s" holders_are n2 ||
    { abort_trial "$case" "$speaker" "$n" no_takeover "n2 did not become the only holder within $fall_s s" "$cap_pid"; return 1; }
  wait_until 3 _client_reaches_vip ||
    { abort_trial "$case" "$speaker" "$n" no_client_reply "no reply after the takeover" "$cap_pid"; return 1; }
  # n2's replies in the capture; then a random part of one check interval: n2's takeover
  # follows a run of n1's check by a fixed time (the fall, then the handover), and without
  # it FILE would come back at the same phase of the check's runs in every trial, which
  # locks "back" (rise x interval) to the handover time modulo the interval.
  local hold_ms=$((300 + $(random_ms "$ival")))
  sleep "$(sec_of_ms "$hold_ms")"

  # Back to the start: the check rises again and n1 preempts n2 (bounded).
  local t_back=$EPOCHREALTIME
  touch "$OK_FILE"
  chmod 0644 "$OK_FILE"
  wait_until "$rise_s" holders_are n1 ||
    { abort_trial "$case" "$speaker" "$n" no_recovery "n1 did not take the VIP back within $rise_s s" "$cap_pid"; return 1; }
  wait_until 3 _client_reaches_vip || log "$case $speaker #$n: no reply after n1 came back"
  sleep 0.3
  local ok=1
  bench_probe_stop || ok=0
  stop_capture "$cap_pid"
  ((ok)) || { record "$case" "$speaker" "$n" status failed; return 1; }

  # tcpdump -e -tt: "TS SRCMAC > DSTMAC, ethertype IPv4 (0x0800), length L: SRC > DST: ..."
  local total detect handover since_full prio0 outage recovery
  read -r total detect handover since_full prio0 outage recovery < <(awk -v t0="$t_rm" -v tb="$t_back" \
    -v m1="$MAC_N1" -v m2="$MAC_N2" -v src1="${NODE_ADDR[n1]}" '
    function ms(x) { return sprintf("%.1f", x * 1000) }
    / ICMP echo reply/ {
      t = $1 + 0
      if (t > t0 && n2 == "") {
        if (prev != "" && t - prev > gap) gap = t - prev
        if ($2 == m2) n2 = t
      }
      if (t > tb && back == "" && $2 == m1) back = t
      prev = t; next }
    / VRRP/ && $0 ~ (": " src1 " > ") {
      t = $1 + 0
      if (n2 != "") next
      p = $0; sub(/.*prio /, "", p); p += 0
      if (p == 150) full = t
      if (t <= t0) next
      if (p < 150 && demoted == "") demoted = t
      if (p == 0) zero = 1
    }
    END {
      print (n2 == "" ? "-" : ms(n2 - t0)), (demoted == "" ? "-" : ms(demoted - t0)),
            (n2 == "" || demoted == "" ? "-" : ms(n2 - demoted)),
            (n2 == "" || full == "" ? "-" : ms(n2 - full)), zero + 0,
            (n2 == "" ? "-" : ms(gap)), (back == "" ? "-" : ms(back - tb))
    }' "$cap")
  if [[ "$total" == - ]]; then
    log "$case $speaker #$n: the capture shows no reply from n2 ($MAC_N2) after the removal"
    record "$case" "$speaker" "$n" status no_reply_from_n2
    return 1
  fi
  record "$case" "$speaker" "$n" total_ms "$total"
  record "$case" "$speaker" "$n" check_rise "$rise"
  record "$case" "$speaker" "$n" check_fall "$fall"
  [[ "$detect" == - ]] || record "$case" "$speaker" "$n" detect_ms "$detect"
  [[ "$handover" == - ]] || record "$case" "$speaker" "$n" handover_ms "$handover"
  [[ "$since_full" == - ]] || record "$case" "$speaker" "$n" since_full_ms "$since_full"
  record "$case" "$speaker" "$n" prio0 "$prio0"
  record "$case" "$speaker" "$n" outage_ms "$outage"
  record "$case" "$speaker" "$n" duplicates "$PROBE_DUPLICATES"
  [[ "$recovery" == - ]] || record "$case" "$speaker" "$n" recovery_ms "$recovery"
  log "$case $speaker #$n: removal -> n2 answers $total ms (demoted advert after $detect ms," \
    "then $handover ms; $since_full ms after its last priority-150 advert; priority-0 advert: $prio0); outage $outage ms; duplicates $PROBE_DUPLICATES;" \
    "n1 answers again $recovery ms after the file is back (baseline $base_ms ms; FILE back $hold_ms ms after the takeover was seen)"
}

failures=0 runs=0
for ival in "${intervals[@]}"; do
  for variant in "${variants[@]}"; do
    for ((t = 1; t <= BENCH_TRIALS; t++)); do
      for speaker in $(bench_order "$t"); do
        if [[ "$speaker" == keepalived ]] && ((ival % 1000)); then
          ((t > 1)) || log "${variant}_${ival}ms: keepalived skipped (its script interval is whole seconds)"
          continue
        fi
        runs=$((runs + 1))
        trial "$speaker" "$variant" "$ival" "$t" || failures=$((failures + 1))
        bench_stop_all || true
        ((failures <= 5)) || fail "more than 5 failed trials: giving up"
      done
    done
  done
done
pass "check_demotion: $runs trials, $failures failed"

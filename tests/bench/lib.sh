# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the benchmark scripts
# floatd benchmarks: helpers on top of the end-to-end harness (tests/e2e/lib.sh).
#
# A benchmark script (outage.sh, idle.sh, takeover.sh, stability.sh, check_demotion.sh) does:
#   source "$(dirname "$0")/lib.sh"
#   bench_init outage                # e2e_init: namespaces, traps, deadline
#   add_node n1 192.0.2.1; add_node n2 192.0.2.2; add_client
#   for trial...; for speaker in $(bench_order $trial); do
#     bench_use "$speaker"; bench_config n1 150 100 single; ...; record outage ...
#
# Both agents run on the same testbed (the same namespaces, bridge and client), one after the
# other: NODE_SPEAKER[n] picks floatd or keepalived for node n before bench_config.
#
# Environment (set by run.sh):
#   FLOATD, VIP_PROBE   binaries
#   BENCH_CSV           raw results, one row per measurement:
#                       bench,case,speaker,trial,metric,value
#   BENCH_TRIALS        trials per case and agent
#   BENCH_SPEAKERS      "floatd keepalived" (default), or one of them

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$BENCH_DIR/../e2e/lib.sh"

BENCH_NAME=""
BENCH_CLK_TCK=$(getconf CLK_TCK)
declare -A LOG_MARK=() # NAME -> line count of the node's log when it was last started
declare -a BUSY_PIDS=()

# bench_init NAME: the e2e harness's set-up (namespaces named fde-bench_NAME-PID-*,
# removed on exit), keepalived without its per-GARP detail log.
bench_init() {
  BENCH_NAME=$1
  : "${BENCH_CSV:?BENCH_CSV must name the raw CSV file}"
  : "${BENCH_TRIALS:=3}"
  : "${BENCH_SPEAKERS:=floatd keepalived}"
  export E2E_KEEPALIVED_LOG_DETAIL=0
  e2e_init "bench_$1" "${FLOATD:-}" "${VIP_PROBE:-}"
  trap '_bench_exit' EXIT
}

# The busy loop (stability) is ours and not in a namespace: stop it first, then the
# harness's cleanup.
_bench_exit() {
  local rc=$?
  ((${#BUSY_PIDS[@]})) && kill -KILL "${BUSY_PIDS[@]}" 2>/dev/null
  (exit "$rc")
  _e2e_cleanup
}

# record CASE SPEAKER TRIAL METRIC VALUE: one raw measurement (CSV row).
record() {
  echo "$BENCH_NAME,$1,$2,$3,$4,$5" >>"$BENCH_CSV"
  vlog "record $BENCH_NAME $*"
}

# bench_order TRIAL: the agents in the order they run in this trial (alternating which one
# goes first, so a slow drift of the machine's load hurts neither).
bench_order() {
  local -a s
  read -r -a s <<<"$BENCH_SPEAKERS"
  if ((${#s[@]} == 2 && $1 % 2 == 0)); then
    echo "${s[1]} ${s[0]}"
  else
    echo "${s[*]}"
  fi
}

# bench_use SPEAKER: every node runs SPEAKER from now on.
bench_use() {
  local n
  for n in "${E2E_NODES[@]}"; do NODE_SPEAKER[$n]=$1; done
}

now_ns() { date +%s%N; }
ms_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# ---------------------------------------------------------------- configurations

# bench_config NAME PRIORITY ADVERT_MS MODE [COUNT]: the node's configuration for its speaker.
#   single     1 instance (VRID 51) with the harness's VIP, 192.0.2.100/24;
#   instances  COUNT instances, VRIDs 1..COUNT, instance k holding 198.18.0.k/32;
#   many       1 instance (VRID 51) with COUNT VIPs 198.18.(1 + i/200).(1 + i%200)/32.
# Announcements: floatd's defaults (3 rounds of gratuitous ARP, 100 ms apart); keepalived
# sends 3 per VIP at once (vrrp_garp_master_repeat 3, its default interval 0) and no second
# set 5 s later (vrrp_garp_master_delay 0), so both send 3 per VIP and nothing afterwards.
# (One awk per file: forks are slow on a busy machine, and 255 instances are many.)
bench_config() {
  local name=$1 prio=$2 adv=$3 mode=$4 count=${5:-1} ext=toml
  [[ "$(speaker_of "$name")" == keepalived ]] && ext=conf
  NODE_CONF[$name]="$E2E_WORK/$name.$ext"
  awk -v kind="$ext" -v name="$name" -v prio="$prio" -v adv="$adv" -v mode="$mode" \
    -v count="$count" -v vip="$VIP/$VIP_PREFIX" -v vrid="$VRID" -v work="$E2E_WORK" '
    function vips(k, sep, pre, post,   i, out) {
      if (mode == "single") return pre vip post
      if (mode == "instances") return pre "198.18.0." k "/32" post
      for (i = 0; i < count; i++)
        out = out (i ? sep : "") pre sprintf("198.18.%d.%d/32", 1 + int(i / 200), 1 + i % 200) post
      return out
    }
    BEGIN {
      n = mode == "instances" ? count : 1
      if (kind == "conf") {
        printf "global_defs {\n  router_id %s\n  vrrp_version 3\n", name
        printf "  vrrp_garp_master_repeat 3\n  vrrp_garp_master_delay 0\n}\n"
        for (k = 1; k <= n; k++) {
          id = mode == "instances" ? k : vrid
          printf "vrrp_instance vr%d {\n  state BACKUP\n  interface eth0\n", id
          printf "  virtual_router_id %d\n  priority %d\n  advert_int %.2f\n", id, prio, adv / 1000
          printf "  virtual_ipaddress {\n%s\n  }\n}\n", vips(k, "\n", "    ", " dev eth0")
        }
      } else {
        printf "[global]\nrouter_id = \"%s\"\ncontrol_socket = \"%s/%s.sock\"\n", name, work, name
        printf "state_dir = \"%s/%s.state\"\n", work, name
        for (k = 1; k <= n; k++) {
          id = mode == "instances" ? k : vrid
          printf "\n[[instance]]\nname = \"vr%d\"\ninterface = \"eth0\"\nvrid = %d\n", id, id
          printf "priority = %d\nadvert_interval = \"%dms\"\n", prio, adv
          printf "vips = [%s]\n", vips(k, ", ", "\"", "\"")
        }
      }
    }' >"${NODE_CONF[$name]}"
}

# master_down_ms ADVERT_MS PRIORITY: RFC 5798's Master_Down_Interval.
master_down_ms() { awk -v a="$1" -v p="$2" 'BEGIN { printf "%.1f", 3 * a + (256 - p) / 256 * a }'; }

# bench_add_check NAME CHECK WEIGHT INTERVAL_MS RISE FALL PROGRAM [ARG...]: after
# bench_config, every instance of the node tracks one health check running PROGRAM ARGS
# every INTERVAL_MS (no shell), passing after RISE successes, failing after FALL failures;
# WEIGHT 0 puts the instance in FAULT while it fails, else it is added to the priority.
#   floatd:     [[check]] (default timeout) and track = [{ check = CHECK, weight = WEIGHT }]
#   keepalived: vrrp_script CHECK { script "PROGRAM ARG..."; interval S; rise; fall } and
#               track_script { CHECK weight WEIGHT }; its interval is whole seconds (2.2.7:
#               1..4294), so INTERVAL_MS must be a multiple of 1000 (returns 1 otherwise).
#               Scripts run as floatd's would (script_user floatd-script if it exists, else
#               nobody; enable_script_security), not as root with a warning.
# (The arguments must not contain spaces or quotes: keepalived splits its script line.)
bench_add_check() {
  local name=$1 check=$2 weight=$3 ival=$4 rise=$5 fall=$6
  shift 6
  local conf=${NODE_CONF[$name]} tmp="${NODE_CONF[$name]}.tmp"
  if [[ "$(speaker_of "$name")" == keepalived ]]; then
    ((ival >= 1000 && ival % 1000 == 0)) || { log "keepalived's script interval is whole seconds: not ${ival} ms"; return 1; }
    local user=nobody
    id -u floatd-script >/dev/null 2>&1 && user=floatd-script
    awk -v check="$check" -v weight="$weight" -v secs="$((ival / 1000))" -v rise="$rise" \
      -v fall="$fall" -v script="$*" -v user="$user" '
      /^global_defs / { print; printf "  script_user %s\n  enable_script_security\n", user; next }
      /^vrrp_instance / && !defined {
        printf "vrrp_script %s {\n  script \"%s\"\n  interval %d\n  rise %d\n  fall %d\n}\n", check, script, secs, rise, fall
        defined = 1
      }
      /^vrrp_instance / { inside = 1 }
      inside && $0 == "}" { printf "  track_script {\n    %s weight %d\n  }\n", check, weight; inside = 0 }
      { print }' "$conf" >"$tmp"
  else
    local argv="" a
    for a in "$@"; do argv+="${argv:+, }\"$a\""; done
    awk -v check="$check" -v weight="$weight" -v ival="$ival" -v rise="$rise" -v fall="$fall" \
      -v argv="$argv" '
      { print }
      /^vips = / { printf "track = [{ check = \"%s\", weight = %d }]\n", check, weight }
      END {
        printf "\n[[check]]\nname = \"%s\"\ncommand = [%s]\ninterval = \"%dms\"\n", check, argv, ival
        printf "rise = %d\nfall = %d\n", rise, fall
      }' "$conf" >"$tmp"
  fi
  mv "$tmp" "$conf"
}

# ---------------------------------------------------------------- nodes

# bench_start NAME: node_start, remembering where this run's log begins.
bench_start() {
  LOG_MARK[$1]=$(wc -l <"${NODE_LOG[$1]}")
  node_start "$1"
}

# run_log NAME: the node's log since it was last started.
run_log() { tail -n +"$((${LOG_MARK[$1]:-0} + 1))" "${NODE_LOG[$1]}"; }

# in_backup NAME: the node has logged its entry into BACKUP since it was last started.
in_backup() {
  if [[ "$(speaker_of "$1")" == keepalived ]]; then
    run_log "$1" | grep -q 'Entering BACKUP STATE'
  else
    run_log "$1" | grep -qE -- '-> BACKUP'
  fi
}

# vip_count NAME [PREFIX]: VIPs (addresses under PREFIX, default 198.18.) on the node's eth0.
vip_count() {
  ip -n "${NODE_NS[$1]}" -4 -o addr show dev eth0 2>/dev/null | grep -c " inet ${2:-198.18.}" || true
}
vip_count_is() { [[ "$(vip_count "$1")" == "$2" ]]; }

# bench_stop_all: stop every node still running (SIGTERM, bounded; SIGKILL by PID after
# 15 s), bring every link up, remove any VIP left behind, forget ARP entries. Returns 1 if a
# node had to be killed.
bench_stop_all() {
  local n rc=0
  if [[ -n "$PROBE_PID" ]]; then
    kill -TERM "$PROBE_PID" 2>/dev/null
    wait_until 5 _not_alive "$PROBE_PID" || kill -KILL "$PROBE_PID" 2>/dev/null
    wait "$PROBE_PID" 2>/dev/null
    PROBE_PID=""
  fi
  for n in "${E2E_NODES[@]}"; do
    [[ -n "${NODE_PID[$n]:-}" ]] || continue
    if node_alive "$n"; then
      node_signal "$n" TERM 2>/dev/null || true
    fi
  done
  for n in "${E2E_NODES[@]}"; do
    [[ -n "${NODE_PID[$n]:-}" ]] || continue
    if ! node_reap "$n" 15; then
      log "$n did not exit within 15 s of SIGTERM: killing it"
      node_crash "$n"
      rc=1
    fi
  done
  for n in "${E2E_NODES[@]}"; do
    link_up "$n"
    ip -n "${NODE_NS[$n]}" addr del "$VIP/$VIP_PREFIX" dev eth0 2>/dev/null || true
    ip -n "${NODE_NS[$n]}" addr flush dev eth0 to 198.18.0.0/15 2>/dev/null || true
    ip -n "${NODE_NS[$n]}" neigh flush dev eth0 2>/dev/null || true
  done
  ip -n "${NODE_NS[client]}" neigh flush dev eth0 2>/dev/null || true
  wait_until 5 _links_ready || log "links not ready again after 5 s"
  return "$rc"
}

# Every node's eth0 is up with its carrier (the bridge port follows within a few ms).
_links_ready() {
  local n
  for n in "${E2E_NODES[@]}"; do
    ip -n "${NODE_NS[$n]}" -o link show dev eth0 | grep -q 'state UP' || return 1
  done
}

# transition_count NAME: state changes the node logged since it was last started.
transition_count() {
  if [[ "$(speaker_of "$1")" == keepalived ]]; then
    run_log "$1" | grep -cE 'Entering (MASTER|BACKUP|FAULT) STATE' || true
  else
    run_log "$1" | grep -cE ': (INIT|BACKUP|MASTER|FAULT) -> (INIT|BACKUP|MASTER|FAULT)' || true
  fi
}

# ---------------------------------------------------------------- processes, CPU, memory

# agent_pids NAME: the node's agent and all its descendants (keepalived forks its VRRP child).
agent_pids() {
  local root=${NODE_PID[$1]:-}
  [[ -n "$root" ]] || return 0
  ps -e -o pid=,ppid= | awk -v root="$root" '
    { parent[$1] = $2 }
    END {
      keep[root] = 1; found = 1
      for (round = 0; round < 16 && found; round++) {
        found = 0
        for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; found = 1 }
      }
      for (p in keep) print p
    }' | sort -n
}

# cpu_sample PID...: "TICKS NS": utime+stime (clock ticks, /proc/PID/stat, all threads) and
# the time on CPU in nanoseconds (/proc/PID/task/*/schedstat) summed over the PIDs.
cpu_sample() {
  local p ticks=0 ns=0 stat rest t
  for p in "$@"; do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    rest=${stat##*) } # fields from 3 on (comm may contain spaces and parentheses)
    read -r -a t <<<"$rest"
    ticks=$((ticks + t[11] + t[12])) # fields 14 and 15: utime, stime
    for t in /proc/"$p"/task/*/schedstat; do
      read -r stat _ <"$t" 2>/dev/null && ns=$((ns + stat))
    done
  done
  echo "$ticks $ns"
}

# mem_sample PID...: "RSS_KB PSS_KB" summed over the PIDs (/proc/PID/smaps_rollup).
mem_sample() {
  local p
  for p in "$@"; do cat "/proc/$p/smaps_rollup" 2>/dev/null; done |
    awk '/^Rss:/ { r += $2 } /^Pss:/ { s += $2 } END { printf "%d %d\n", r, s }'
}

# ---------------------------------------------------------------- client probe

# bench_probe_start INTERVAL_MS DURATION_S: vip_probe in the client namespace; returns once
# the client gets replies from the VIP (1 if not within 3 s).
bench_probe_start() {
  PROBE_OUT="$E2E_WORK/probe.out"
  ip netns exec "${NODE_NS[client]}" "$VIP_PROBE" --target "$VIP" --interval-ms "$1" \
    --duration "$2" --verbose >"$PROBE_OUT" 2>"$PROBE_OUT.err" &
  PROBE_PID=$!
  wait_until 3 _client_reaches_vip
}

# bench_probe_stop: stop the probe (bounded) and parse its summary into PROBE_* (see
# tests/e2e/lib.sh probe_stop; and PROBE_ELAPSED_MS); returns 1 if it had ended early or
# printed no summary.
bench_probe_stop() {
  local early=0 line
  _any_alive "$PROBE_PID" || early=1
  kill -TERM "$PROBE_PID" 2>/dev/null || true
  wait_until 5 _not_alive "$PROBE_PID" || kill -KILL "$PROBE_PID" 2>/dev/null
  wait "$PROBE_PID" 2>/dev/null || true
  PROBE_PID=""
  line=$(tail -n1 "$PROBE_OUT")
  probe_parse_summary "$line" || { log "vip_probe printed no summary: '$line'"; return 1; }
  ((early == 0)) || { log "vip_probe ended early"; return 1; }
}

# ---------------------------------------------------------------- load

# busy_start SECONDS [CPU]: one more CPU-bound loop (bounded by SECONDS), pinned to CPU
# when given; busy_stop kills them all (by PID).
busy_start() {
  local secs=$1 cpu=${2:-}
  local -a pin=()
  [[ -n "$cpu" ]] && command -v taskset >/dev/null && pin=(taskset -c "$cpu")
  # (taskset execs bash: $! is the loop's own PID)
  # shellcheck disable=SC2016 # expanded by the inner bash
  "${pin[@]}" bash -c 'end=$((SECONDS + $1)); while ((SECONDS < end)); do :; done' busy "$secs" &
  BUSY_PIDS+=("$!")
}

busy_stop() {
  local p
  for p in "${BUSY_PIDS[@]}"; do
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  BUSY_PIDS=()
  return 0
}

# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the scenarios
# floatd end-to-end harness: real VRRP speakers in network namespaces on this machine.
#
# A scenario does:
#   source "$(dirname "$0")/lib.sh"
#   e2e_init link_loss "$@"          # args: [FLOATD_BINARY [VIP_PROBE_BINARY]] (or env, below)
#   add_node n1 192.0.2.1; add_node n2 192.0.2.2; add_client
#   node_config n1 150; node_config n2 100
#   node_start n1; node_start n2
#   wait_until 3 holders_are n1 || fail "n1 did not become the only holder"
#   ...
#   pass "link loss outage ${PROBE_MAX_GAP_MS} ms"
#
# Topology: one "switch" namespace with bridge br0; every node/client namespace has an
# eth0 whose veth peer is a port of br0 (peers live in the switch namespace, so nothing is
# created in the root namespace). Namespaces are named fde-<scenario>-<pid>-<node>.
# On exit (success, failure, SIGINT, SIGTERM, or the scenario's own deadline) every
# process in those namespaces is killed and the namespaces are deleted; on failure each
# node's log is printed first.
#
# Environment:
#   FLOATD          floatd binary (or the first argument)
#   VIP_PROBE       vip_probe binary (or the second argument)
#   E2E_SPEAKER     floatd (default) | keepalived: run Debian's keepalived as the nodes
#                   (harness development); configs are translated. NODE_SPEAKER[NAME]=
#                   keepalived before node_config makes one node keepalived (interop)
#   E2E_KEEPALIVED_LOG_DETAIL  1 (default): keepalived runs with -D (detailed log); 0:
#                   without it (benchmarks: -D logs a line per gratuitous ARP)
#   E2E_DEADLINE    seconds before the scenario aborts itself (default 100; keep it
#                   below the CTest TIMEOUT so the cleanup trap always runs)
#   E2E_RESULTS_FILE  measurements (result KEY VALUE) are appended here when set
#   E2E_KEEP_LOGS   1: keep the work directory (configs, logs) even on success
#   E2E_QUIET_INTERRUPT  1: after SIGINT/SIGTERM, no log dump and no kept work directory
#   E2E_VERBOSE     1: trace harness actions

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly E2E_DIR
readonly VIP=${E2E_VIP:-192.0.2.100}
readonly VIP_PREFIX=24
readonly CLIENT_ADDR=192.0.2.200
readonly VRID=${E2E_VRID:-51}

E2E_NAME=""
E2E_PREFIX=""
E2E_WORK=""
E2E_SW=""
E2E_T0=""
E2E_FAILED=0
E2E_INTERRUPTED=0
E2E_CLEANED=0
E2E_WATCHDOG=""
declare -a E2E_NAMESPACES=()
declare -a E2E_NODES=()
declare -A NODE_NS=() NODE_ADDR=() NODE_PID=() NODE_LOG=() NODE_CONF=() NODE_EXIT=() NODE_STARTED_NS=()
declare -A NODE_SPEAKER=()
PROBE_PID=""
PROBE_OUT=""

# ---------------------------------------------------------------- messages

_ts() { awk -v t0="$E2E_T0" 'BEGIN { "date +%s.%N" | getline now; printf "%6.2f", now - t0 }'; }
log() { printf '[%s %ss] %s\n' "$E2E_NAME" "$(_ts)" "$*"; }
vlog() { [[ "${E2E_VERBOSE:-0}" == 1 ]] && log "$@"; return 0; }
fail() {
  E2E_FAILED=1
  printf '[%s %ss] FAIL: %s\n' "$E2E_NAME" "$(_ts)" "$*" >&2
  exit 1
}
# result KEY VALUE: a measurement, logged and appended to $E2E_RESULTS_FILE (run-all.sh
# prints them in its summary).
result() {
  log "RESULT $1=$2"
  [[ -z "${E2E_RESULTS_FILE:-}" ]] || echo "$E2E_NAME: $1=$2" >>"$E2E_RESULTS_FILE"
}
pass() {
  log "PASS: $*"
  exit 0
}

# ---------------------------------------------------------------- set-up / tear-down

e2e_init() {
  E2E_NAME=$1
  shift
  E2E_T0=$(date +%s.%N)
  FLOATD=${1:-${FLOATD:-}}
  VIP_PROBE=${2:-${VIP_PROBE:-}}
  E2E_SPEAKER=${E2E_SPEAKER:-floatd}
  if ((EUID != 0)); then
    echo "[$E2E_NAME] SKIP: needs root (network namespaces)" >&2
    exit 77
  fi
  case "$E2E_SPEAKER" in
    floatd) [[ -x "$FLOATD" ]] || { echo "[$E2E_NAME] floatd binary '$FLOATD' not found (argument 1 or FLOATD=)" >&2; exit 2; } ;;
    keepalived) command -v keepalived >/dev/null || { echo "[$E2E_NAME] keepalived not installed" >&2; exit 2; } ;;
    *) echo "[$E2E_NAME] E2E_SPEAKER must be floatd or keepalived" >&2; exit 2 ;;
  esac
  E2E_PREFIX="fde-${E2E_NAME}-$$"
  E2E_WORK=$(mktemp -d "/tmp/${E2E_PREFIX}-XXXXXX")
  trap _e2e_cleanup EXIT
  trap 'E2E_FAILED=1 E2E_INTERRUPTED=1; log "interrupted (SIGINT)"; exit 130' INT
  trap 'E2E_FAILED=1 E2E_INTERRUPTED=1; log "terminated (SIGTERM, or the ${E2E_DEADLINE:-100} s deadline)"; exit 143' TERM
  # Our own deadline, so that the trap (not CTest's SIGKILL) ends an overlong run. The
  # watchdog leaves as soon as the scenario is gone (even killed with SIGKILL).
  local main=$$
  (
    exec >/dev/null 2>&1
    trap - EXIT INT TERM
    for ((i = 0; i < ${E2E_DEADLINE:-100} * 5; i++)); do
      sleep 0.2
      kill -0 "$main" 2>/dev/null || exit 0
    done
    kill -TERM "$main"
  ) &
  E2E_WATCHDOG=$!
  log "speaker=$E2E_SPEAKER${FLOATD:+ ($FLOATD)} work=$E2E_WORK"
  _make_switch
}

_netns_add() {
  ip netns add "$1"
  E2E_NAMESPACES+=("$1")
  ip -n "$1" link set lo up
}

_make_switch() {
  E2E_SW="${E2E_PREFIX}-sw"
  _netns_add "$E2E_SW"
  ip -n "$E2E_SW" link add br0 type bridge stp_state 0 mcast_snooping 0
  ip -n "$E2E_SW" link set br0 up
}

# _attach NS PORTNAME ADDR: eth0 in NS, its peer PORTNAME a bridge port in the switch.
_attach() {
  local ns=$1 port=$2 addr=$3
  ip link add eth0 netns "$ns" type veth peer name "$port" netns "$E2E_SW"
  ip -n "$E2E_SW" link set "$port" master br0
  ip -n "$E2E_SW" link set "$port" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
}

# add_node NAME ADDR: a namespace for one VRRP speaker.
add_node() {
  local name=$1 addr=$2 ns="${E2E_PREFIX}-$1"
  _netns_add "$ns"
  _attach "$ns" "p-$name" "$addr"
  E2E_NODES+=("$name")
  NODE_NS[$name]=$ns
  NODE_ADDR[$name]=$addr
  NODE_LOG[$name]="$E2E_WORK/$name.log"
  : >"${NODE_LOG[$name]}"
  vlog "node $name in $ns at $addr"
}

# add_client [NAME [ADDR]]: a namespace without a speaker (client, injector).
add_client() {
  local name=${1:-client} addr=${2:-$CLIENT_ADDR} ns="${E2E_PREFIX}-${1:-client}"
  _netns_add "$ns"
  _attach "$ns" "p-$name" "$addr"
  NODE_NS[$name]=$ns
  NODE_ADDR[$name]=$addr
}

ns_of() { echo "${NODE_NS[$1]}"; }

_e2e_cleanup() {
  local rc=$?
  set +e
  ((E2E_CLEANED)) && return
  E2E_CLEANED=1
  # Finish even if interrupted again, or if whoever reads our output is gone (a killed
  # ctest closes the pipe: without this, the first log line would kill us with SIGPIPE).
  trap '' INT TERM HUP PIPE
  ((rc != 0)) && E2E_FAILED=1
  [[ -n "$E2E_WATCHDOG" ]] && kill "$E2E_WATCHDOG" 2>/dev/null
  local holders=""
  ((E2E_FAILED)) && holders=$(vip_holders)
  # The essential part first: every process in our namespaces (speakers, probe,
  # injector) gets TERM, then KILL; then the namespaces go.
  local ns pids=()
  for ns in "${E2E_NAMESPACES[@]}"; do
    mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
  done
  [[ -n "$PROBE_PID" ]] && pids+=("$PROBE_PID")
  if ((${#pids[@]})); then
    kill -TERM "${pids[@]}" 2>/dev/null
    local i
    for ((i = 0; i < 50; i++)); do
      _any_alive "${pids[@]}" || break
      sleep 0.02
    done
    kill -KILL "${pids[@]}" 2>/dev/null
  fi
  for ns in "${E2E_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  # Reap our children that have ended (bounded: never a bare `wait`).
  [[ -n "$E2E_WATCHDOG" ]] && pids+=("$E2E_WATCHDOG")
  local p
  for p in "${pids[@]}"; do
    _not_alive "$p" && wait "$p" 2>/dev/null
  done
  if ((E2E_INTERRUPTED)) && [[ "${E2E_QUIET_INTERRUPT:-0}" == 1 ]]; then
    E2E_FAILED=0
  fi
  if ((E2E_FAILED)) && [[ -n "$E2E_WORK" ]]; then
    dump_logs "$holders"
  fi
  if [[ -n "$E2E_WORK" ]]; then
    if ((E2E_FAILED)) || [[ "${E2E_KEEP_LOGS:-0}" == 1 ]]; then
      echo "[$E2E_NAME] logs and configs kept in $E2E_WORK" >&2
    else
      rm -rf "$E2E_WORK"
    fi
  fi
  return "$rc"
}

# _any_alive PID...: true if one of the PIDs runs (zombies count as dead).
_any_alive() {
  local p st
  for p in "$@"; do
    st=$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
    [[ -n "$st" && "$st" != Z ]] && return 0
  done
  return 1
}
_not_alive() { ! _any_alive "$1"; }

# dump_logs [HOLDERS]: every node's log (and the probe's, the injector's) on stderr.
dump_logs() {
  local n
  for n in "${E2E_NODES[@]}"; do
    echo "----- $n (${NODE_NS[$n]}, pid ${NODE_PID[$n]:-none}) log, last 80 lines -----" >&2
    tail -n 80 "${NODE_LOG[$n]}" >&2 2>/dev/null
  done
  if [[ -n "$PROBE_OUT" && -s "$PROBE_OUT.err" ]]; then
    echo "----- probe stderr -----" >&2
    tail -n 40 "$PROBE_OUT.err" >&2
  fi
  if [[ -s "$E2E_WORK/inject.log" ]]; then
    echo "----- injector -----" >&2
    tail -n 40 "$E2E_WORK/inject.log" >&2
  fi
  echo "----- VIP holders at failure: '${1-$(vip_holders)}' -----" >&2
}

# ---------------------------------------------------------------- nodes

# node_config NAME PRIORITY [KEY=VALUE...]: write the node's config. Keys (defaults):
#   advert_interval=100ms preempt=true preempt_delay=0s garp_count=3 garp_interval=100ms
node_config() {
  local name=$1 prio=$2
  shift 2
  local -A o=([advert_interval]=100ms [preempt]=true [preempt_delay]=0s [garp_count]=3 [garp_interval]=100ms)
  local kv
  for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
  if [[ "$(speaker_of "$name")" == keepalived ]]; then
    _keepalived_config "$name" "$prio" o
    return
  fi
  NODE_CONF[$name]="$E2E_WORK/$name.toml"
  cat >"${NODE_CONF[$name]}" <<EOF
[global]
router_id = "$name"
control_socket = "$E2E_WORK/$name.sock"
state_dir = "$E2E_WORK/$name.state"

[[instance]]
name = "web"
interface = "eth0"
vrid = $VRID
priority = $prio
advert_interval = "${o[advert_interval]}"
vips = ["$VIP/$VIP_PREFIX"]
preempt = ${o[preempt]}
preempt_delay = "${o[preempt_delay]}"
garp_count = ${o[garp_count]}
garp_interval = "${o[garp_interval]}"
EOF
}

_ms() { # "100ms" / "1s" -> milliseconds
  case "$1" in
    *ms) echo "${1%ms}" ;;
    *s) echo "$((${1%s} * 1000))" ;;
    *) echo "$1" ;;
  esac
}

_keepalived_config() {
  local name=$1 prio=$2
  local -n opts=$3
  local adv_ms delay_ms
  adv_ms=$(_ms "${opts[advert_interval]}")
  delay_ms=$(_ms "${opts[preempt_delay]}")
  NODE_CONF[$name]="$E2E_WORK/$name.conf"
  {
    echo "global_defs {"
    echo "  router_id $name"
    echo "  vrrp_version 3"
    echo "  vrrp_garp_master_repeat ${opts[garp_count]}"
    echo "  vrrp_garp_interval $(awk -v m="$(_ms "${opts[garp_interval]}")" 'BEGIN { printf "%.3f", m / 1000 }')"
    echo "  vrrp_garp_master_delay 0"
    echo "}"
    echo "vrrp_instance web {"
    echo "  state BACKUP"
    echo "  interface eth0"
    echo "  virtual_router_id $VRID"
    echo "  priority $prio"
    echo "  advert_int $(awk -v m="$adv_ms" 'BEGIN { printf "%.2f", m / 1000 }')"
    [[ "${opts[preempt]}" == false ]] && echo "  nopreempt"
    ((delay_ms > 0)) && echo "  preempt_delay $((delay_ms / 1000))"
    echo "  virtual_ipaddress {"
    echo "    $VIP/$VIP_PREFIX dev eth0"
    echo "  }"
    echo "}"
  } >"${NODE_CONF[$name]}"
}

# node_start NAME: start the node's speaker in the background; NODE_PID[NAME] is its PID,
# NODE_STARTED_NS[NAME] the time it was launched (date +%s%N).
node_start() {
  local name=$1 ns=${NODE_NS[$1]}
  NODE_STARTED_NS[$name]=$(date +%s%N)
  echo "=== start $(date -d "@${NODE_STARTED_NS[$name]:0:10}.${NODE_STARTED_NS[$name]:10}" +%T.%N | cut -c1-12) ===" >>"${NODE_LOG[$name]}"
  # setsid: the speakers are not in our process group, so a Ctrl-C reaches only the
  # harness, whose trap then stops them. Neither setsid (a background child of a
  # non-interactive shell is no group leader) nor `ip netns exec` forks: $! is the
  # speaker's own PID (were it not, the liveness check below would fail at once).
  if [[ "$(speaker_of "$name")" == keepalived ]]; then
    local detail=-D
    [[ "${E2E_KEEPALIVED_LOG_DETAIL:-1}" == 0 ]] && detail=""
    # shellcheck disable=SC2086 # $detail: no word or one
    setsid ip netns exec "$ns" keepalived -n -l $detail -P -f "${NODE_CONF[$name]}" \
      -p "$E2E_WORK/$name.pid" -r "$E2E_WORK/$name.vrrp.pid" >>"${NODE_LOG[$name]}" 2>&1 &
  else
    setsid ip netns exec "$ns" "$FLOATD" -c "${NODE_CONF[$name]}" --log-target stderr \
      >>"${NODE_LOG[$name]}" 2>&1 &
  fi
  NODE_PID[$name]=$!
  unset "NODE_EXIT[$name]"
  vlog "started $name pid ${NODE_PID[$name]}"
  sleep 0.05
  if ! node_alive "$name"; then
    node_reap "$name" 1 || true
    fail "$name exited at start (status ${NODE_EXIT[$name]:-?})"
  fi
}

speaker_of() { echo "${NODE_SPEAKER[$1]:-$E2E_SPEAKER}"; }

node_alive() { _any_alive "${NODE_PID[$1]:-0}"; }

# node_reap NAME TIMEOUT_S: wait (bounded) for the node's process to end; NODE_EXIT[NAME]
# is its exit status (128+N when killed by signal N). Returns 1 if it is still running.
node_reap() {
  local name=$1 timeout=${2:-5} pid=${NODE_PID[$1]:-}
  [[ -n "$pid" ]] || return 0
  wait_until "$timeout" _not_alive "$pid" || return 1
  local st=0
  wait "$pid" 2>/dev/null || st=$?
  NODE_EXIT[$name]=$st
  NODE_PID[$name]=""
}

# node_signal NAME SIG: send SIG to the node's speaker (no wait).
node_signal() { kill -"$2" "${NODE_PID[$1]}"; }

# node_stop NAME [TIMEOUT_S]: graceful stop (SIGTERM); sets NODE_EXIT[NAME]; fails if it hangs.
node_stop() {
  local name=$1 timeout=${2:-5}
  node_signal "$name" TERM
  node_reap "$name" "$timeout" || fail "$name did not exit within ${timeout}s of SIGTERM"
  vlog "$name exited with ${NODE_EXIT[$name]}"
}

# node_crash NAME: SIGKILL every process of the node's namespace (like a crash: nothing
# cleans up, the VIP stays on eth0).
node_crash() {
  local name=$1 pids
  mapfile -t pids < <(ip netns pids "${NODE_NS[$name]}")
  disown "${NODE_PID[$name]}" 2>/dev/null || true # no "Killed" job notice from bash
  ((${#pids[@]})) && { kill -KILL "${pids[@]}" 2>/dev/null || true; }
  wait_until 5 _not_alive "${NODE_PID[$name]}" || fail "$name survived SIGKILL"
  NODE_EXIT[$name]=137
  NODE_PID[$name]=""
}

link_down() { ip -n "${NODE_NS[$1]}" link set eth0 down; }
link_up() { ip -n "${NODE_NS[$1]}" link set eth0 up; }

# node_has_vip NAME: the VIP is configured on the node's eth0.
# (No `| grep -q`: with pipefail, grep leaving early can fail the pipeline by SIGPIPE.)
node_has_vip() {
  [[ "$(ip -n "${NODE_NS[$1]}" -4 -o addr show dev eth0 2>/dev/null)" == *" inet $VIP/"* ]]
}

# vip_holders: the nodes whose eth0 holds the VIP, space separated, in node order.
vip_holders() {
  local n out=()
  for n in "${E2E_NODES[@]}"; do
    node_has_vip "$n" && out+=("$n")
  done
  echo "${out[*]}"
}

# holders_are [NAME...]: the VIP holders are exactly these nodes (none: nobody holds it).
holders_are() { [[ "$(vip_holders)" == "$*" ]]; }
holder_count() {
  local h
  read -r -a h <<<"$(vip_holders)"
  echo "${#h[@]}"
}

# transitions NAME: number of state-change lines ("<inst>: A -> B") in the node's log.
transitions() {
  if [[ "$(speaker_of "$1")" == keepalived ]]; then
    grep -cE 'Entering (MASTER|BACKUP|FAULT) STATE' "${NODE_LOG[$1]}" || true
  else
    grep -cE ': (INIT|BACKUP|MASTER|FAULT) -> (INIT|BACKUP|MASTER|FAULT)' "${NODE_LOG[$1]}" || true
  fi
}

# ---------------------------------------------------------------- polling

# _secs_to_ns 1.25 -> 1250000000 (pure bash: mawk's printf %d stops at 2^31-1)
_secs_to_ns() {
  local int=${1%%.*} frac=0
  [[ "$1" == *.* ]] && frac=${1#*.}
  frac=${frac}000000000
  echo $((10#${int:-0} * 1000000000 + 10#${frac:0:9}))
}

# wait_until TIMEOUT_S COMMAND...: poll COMMAND every 20 ms until it succeeds (return 0)
# or TIMEOUT_S elapses (return 1).
wait_until() {
  local timeout=$1
  shift
  local deadline=$(($(date +%s%N) + $(_secs_to_ns "$timeout")))
  while :; do
    "$@" && return 0
    (($(date +%s%N) >= deadline)) && return 1
    sleep 0.02
  done
}

# hold_for SECONDS COMMAND...: COMMAND must succeed at every 20 ms sample for SECONDS;
# returns 1 at the first sample where it does not (and prints the time and holders).
hold_for() {
  local secs=$1
  shift
  local end=$(($(date +%s%N) + $(_secs_to_ns "$secs"))) samples=0
  while (($(date +%s%N) < end)); do
    if ! "$@"; then
      log "condition '$*' broke after $samples samples (holders: '$(vip_holders)')"
      return 1
    fi
    samples=$((samples + 1))
    sleep 0.02
  done
  vlog "'$*' held for ${secs}s ($samples samples)"
}

# ---------------------------------------------------------------- client probe

# probe_start DURATION_S: ping the VIP every 5 ms from the client namespace (bounded by
# DURATION_S); returns once the client gets replies from the VIP.
probe_start() {
  local duration=$1
  [[ -x "$VIP_PROBE" ]] || fail "vip_probe binary '$VIP_PROBE' not found (argument 2 or VIP_PROBE=)"
  PROBE_OUT="$E2E_WORK/probe.out"
  ip netns exec "${NODE_NS[client]}" "$VIP_PROBE" --target "$VIP" --interval-ms 5 \
    --duration "$duration" --verbose >"$PROBE_OUT" 2>"$PROBE_OUT.err" &
  PROBE_PID=$!
  wait_until 3 _client_reaches_vip || fail "client probe got no reply from $VIP within 3 s"
}

# vip_probe prints its summary only at the end; the client's kernel tells us sooner
# (one ping: ARP resolved and a reply seen).
# (In the background: ping catches SIGINT and exits normally, and bash ignores a SIGINT
# when its foreground child does so; `wait` lets our trap run at once.)
_client_reaches_vip() {
  ip netns exec "${NODE_NS[client]}" ping -c1 -W1 -q "$VIP" >/dev/null 2>&1 &
  wait $!
}

# probe_stop: stop the probe and parse its summary into PROBE_MAX_GAP_MS, PROBE_SENT,
# PROBE_RECEIVED, PROBE_DUPLICATES, PROBE_TAIL_GAP_MS.
probe_stop() {
  [[ -n "$PROBE_PID" ]] || fail "probe not running"
  # It must still be running: one that stopped early did not watch the whole failover.
  _any_alive "$PROBE_PID" || fail "vip_probe ended early: $(cat "$PROBE_OUT" "$PROBE_OUT.err" 2>/dev/null | tail -n 3)"
  kill -TERM "$PROBE_PID" 2>/dev/null || true
  wait_until 5 _not_alive "$PROBE_PID" || fail "vip_probe did not stop"
  wait "$PROBE_PID" 2>/dev/null || true
  PROBE_PID=""
  local line
  line=$(tail -n1 "$PROBE_OUT")
  probe_parse_summary "$line" || fail "vip_probe printed no summary: '$line'"
  log "probe: $line"
}

# probe_parse_summary LINE: vip_probe's last line into PROBE_MAX_GAP_MS, PROBE_SENT,
# PROBE_RECEIVED, PROBE_DUPLICATES, PROBE_TAIL_GAP_MS, PROBE_ELAPSED_MS; 1 if LINE is no summary.
probe_parse_summary() {
  local kv
  [[ "$1" == max_gap_ms=* ]] || return 1
  for kv in $1; do
    case "$kv" in
      max_gap_ms=*) PROBE_MAX_GAP_MS=${kv#*=} ;;
      sent=*) PROBE_SENT=${kv#*=} ;;
      received=*) PROBE_RECEIVED=${kv#*=} ;;
      duplicates=*) PROBE_DUPLICATES=${kv#*=} ;;
      tail_gap_ms=*) PROBE_TAIL_GAP_MS=${kv#*=} ;;
      elapsed_ms=*) PROBE_ELAPSED_MS=${kv#*=} ;;
    esac
  done
}

# lt A B: A < B for decimal numbers.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# --- journal helpers ---
# A private systemd-journald for scenarios that read floatd's journal entries, and
# floatctl against a node's control socket.
#
#   add_node ...; add_client ...     # every namespace first: its /run/netns mount must
#   journald_start                   # exist before journald's mount namespace is made
#   node_config n1 150; journal_node_start n1
#   journal_json _PID="${NODE_PID[n1]}"   # journalctl -o json, one object per line
#
# journald runs standalone (no systemd needed) in its own mount namespace, with private
# tmpfs on /run/systemd (its sockets and a journald.conf.d drop-in: volatile storage, no
# kmsg, no forwarding, no rate limit), /run/log (the journal files) and /var/log/journal:
# nothing of this machine's journal is read or written. floatd and journalctl join that
# mount namespace with nsenter. On exit (the EXIT trap is chained in front of the
# harness's) a failed run saves the private journal to $E2E_WORK/journal.txt and prints
# its tail, then the harness cleans up and journald (our PID) is stopped last; it also
# dies with the scenario (parent-death signal) if the scenario is SIGKILLed.
JOURNALD_PID=""
FLOATCTL=""

# journald_missing: why a private journald cannot run here (empty: it can). Call it before
# e2e_init and skip (exit 77): the tmpfs mount points must exist, we never create them.
journald_missing() {
  local p
  for p in /usr/lib/systemd/systemd-journald /usr/bin/journalctl /run/systemd /run/log; do
    [[ -e "$p" ]] || { echo "$p does not exist"; return; }
  done
}

journald_start() {
  local conf='[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\nRateLimitBurst=0\n'
  local mounts="mount -t tmpfs -o mode=0755 tmpfs /run/systemd && mount -t tmpfs -o mode=0755 tmpfs /run/log"
  [[ -d /var/log/journal ]] && mounts+=" && mount -t tmpfs -o mode=0755 tmpfs /var/log/journal"
  # setsid/setpriv/unshare (no --fork)/exec: $! is journald's own PID.
  setsid setpriv --pdeathsig TERM unshare -m --propagation private sh -c "$mounts \
    && mkdir -p /run/systemd/journal /run/systemd/journald.conf.d \
    && printf '$conf' >/run/systemd/journald.conf.d/e2e.conf \
    && exec /usr/lib/systemd/systemd-journald" >>"$E2E_WORK/journald.log" 2>&1 &
  JOURNALD_PID=$!
  trap _journal_exit EXIT
  wait_until 5 _journald_ready || fail "private journald did not come up: $(tail -n 5 "$E2E_WORK/journald.log")"
  vlog "private journald pid $JOURNALD_PID"
}

_journald_ready() {
  _any_alive "$JOURNALD_PID" && nsenter -t "$JOURNALD_PID" -m test -S /run/systemd/journal/socket
}

# in_journal_ns COMMAND...: run COMMAND in journald's mount namespace.
in_journal_ns() { nsenter -t "$JOURNALD_PID" -m "$@"; }

# journal_json [MATCH...]: the private journal as JSON lines (journalctl -o json), bounded.
journal_json() { in_journal_ns timeout 10 journalctl --no-pager -q -o json "$@"; }

# journal_node_start NAME: node_start with --log-target journal, inside journald's mount
# namespace. NODE_PID[NAME] is floatd's PID (the entries' _PID); the node's log file gets
# floatd's stderr, which should stay empty in journal mode.
journal_node_start() {
  local name=$1 ns=${NODE_NS[$1]}
  [[ -n "$JOURNALD_PID" ]] || fail "journal_node_start: journald_start first"
  NODE_STARTED_NS[$name]=$(date +%s%N)
  echo "=== start $(date -d "@${NODE_STARTED_NS[$name]:0:10}.${NODE_STARTED_NS[$name]:10}" +%T.%N | cut -c1-12) (journal) ===" >>"${NODE_LOG[$name]}"
  # (nsenter -m starts in the other namespace's /: the binary's path must be absolute)
  setsid nsenter -t "$JOURNALD_PID" -m ip netns exec "$ns" "$(realpath "$FLOATD")" \
    -c "${NODE_CONF[$name]}" --log-target journal >>"${NODE_LOG[$name]}" 2>&1 &
  NODE_PID[$name]=$!
  unset "NODE_EXIT[$name]"
  vlog "started $name pid ${NODE_PID[$name]} (journal)"
  sleep 0.05
  if ! node_alive "$name"; then
    node_reap "$name" 1 || true
    fail "$name exited at start (status ${NODE_EXIT[$name]:-?})"
  fi
}

journald_stop() {
  [[ -n "$JOURNALD_PID" ]] || return 0
  kill -TERM "$JOURNALD_PID" 2>/dev/null
  wait_until 3 _not_alive "$JOURNALD_PID" || kill -KILL "$JOURNALD_PID" 2>/dev/null
  wait_until 2 _not_alive "$JOURNALD_PID"
  wait "$JOURNALD_PID" 2>/dev/null
  JOURNALD_PID=""
  return 0
}

_journal_exit() {
  local rc=$?
  set +e
  trap '' INT TERM HUP PIPE
  ((rc != 0)) && E2E_FAILED=1
  local quiet=0
  ((E2E_INTERRUPTED)) && [[ "${E2E_QUIET_INTERRUPT:-0}" == 1 ]] && quiet=1
  if ((E2E_FAILED && !quiet)) && [[ -n "$JOURNALD_PID" ]] && _any_alive "$JOURNALD_PID"; then
    in_journal_ns timeout 10 journalctl --no-pager -o short-precise >"$E2E_WORK/journal.txt" 2>&1
    echo "----- private journal ($E2E_WORK/journal.txt), last 60 lines -----" >&2
    tail -n 60 "$E2E_WORK/journal.txt" >&2
  fi
  (exit "$rc")
  _e2e_cleanup
  journald_stop
  return "$rc"
}

# floatctl_init: FLOATCTL is the floatctl next to $FLOATD (or $FLOATCTL from the environment).
floatctl_init() {
  FLOATCTL=${FLOATCTL:-$(dirname "$FLOATD")/floatctl}
  [[ -x "$FLOATCTL" ]] || fail "floatctl binary '$FLOATCTL' not found (next to floatd, or FLOATCTL=)"
}

# ctl NAME ARGS...: floatctl against node NAME's control socket (bounded: 10 s).
ctl() {
  local name=$1
  shift
  timeout 10 "$FLOATCTL" -s "$E2E_WORK/$name.sock" "$@"
}

# instance_field NAME INSTANCE KEY: one field of one instance in node NAME's `floatctl status
# --json` ("" if absent). Needs floatctl_init.
instance_field() {
  ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
doc = json.load(sys.stdin)
print(next((str(i.get(sys.argv[2], "")) for i in doc["instances"] if i["name"] == sys.argv[1]), ""))
' "$2" "$3" 2>/dev/null || true
}
# instance_state_is NAME INSTANCE STATE
instance_state_is() { [[ "$(instance_field "$1" "$2" state)" == "$3" ]]; }

# has_address NAME ADDRESS: ADDRESS (any prefix) is on node NAME's eth0.
has_address() {
  [[ "$(ip -n "${NODE_NS[$1]}" -4 -o addr show dev eth0 2>/dev/null)" == *" inet $2/"* ]]
}
# address_holders ADDRESS: the nodes holding ADDRESS on eth0, space separated, in node order.
address_holders() {
  local n out=()
  for n in "${E2E_NODES[@]}"; do
    has_address "$n" "$1" && out+=("$n")
  done
  echo "${out[*]}"
}

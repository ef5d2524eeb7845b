#!/usr/bin/env bash
# Least privilege: floatd started as root outside systemd (through the harness), n1 (150)
# tracking a weight-0 script check, n2 (100). Asserts:
# - /proc/<pid>/status of n1 (every thread): CapEff, CapPrm and CapBnd are exactly
#   CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW (0x30c0; CapBnd unchanged when this
#   harness itself has no CAP_SETPCAP), CapInh and CapAmb empty, NoNewPrivs 1; floatd logs
#   the one "privileges: kept ..." line;
# - the check, which passes only when it runs as a user other than root with no effective
#   capabilities, the same bounding set and no new privileges, passes: n1 becomes MASTER;
# - floatctl as nobody:nogroup (setpriv) on n1's socket (made 0666 for the test): status,
#   peers, history, metrics and reload --plan work; resign, maintenance on, reload and restart
#   are refused ("resign needs root (uid 0): you are uid 65534"), exit 1, and n1 stays MASTER;
# - a hitless restart (floatctl as root) under the reduced bounding set: same PID, VIP kept,
#   the same capabilities in the new process, the check still passes;
# - floatctl resign as root works: n2 takes the VIP.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[privileges] SKIP: tests floatd's own privileges (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init privileges "$@"
floatctl_init
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed"

# The unprivileged floatctl must reach the socket and its binary: let others traverse the
# 0700 work directory (not list it), and run a copy of floatctl from it.
chmod 0711 "$E2E_WORK"
install -m 0755 "$FLOATCTL" "$E2E_WORK/floatctl"
as_nobody() { timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups "$E2E_WORK/floatctl" "$@"; }

# CAP_SETGID(6) CAP_SETUID(7) CAP_NET_ADMIN(12) CAP_NET_RAW(13)
want_caps=00000000000030c0
own_eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
if (((16#$own_eff >> 8) & 1)); then
  want_bnd=$want_caps
else
  want_bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  log "no CAP_SETPCAP here: floatd cannot limit its bounding set, want it unchanged ($want_bnd)"
fi

add_node n1 192.0.2.1
add_node n2 192.0.2.2
node_config n1 150
# Passes only as a non-root user without effective capabilities, bounded like floatd, with
# no new privileges (grep's /proc/self: the check's own process, a child of sh). fall 3: a
# slow run on a busy machine is no verdict on privileges.
cat >>"${NODE_CONF[n1]}" <<EOF
track = [{ check = "unprivileged", weight = 0 }]

[[check]]
name = "unprivileged"
command = ["/bin/sh", "-c", 'test "\$(id -u)" != 0 && grep -q "^CapEff:[[:space:]]*0*\$" /proc/self/status && grep -q "^CapBnd:[[:space:]]*$want_bnd\$" /proc/self/status && grep -q "^NoNewPrivs:[[:space:]]*1\$" /proc/self/status']
interval = "500ms"
timeout = "400ms"
rise = 1
fall = 3
EOF
node_config n2 100

# caps_list HEX: the capability numbers of a /proc mask ("6 7 12 13").
caps_list() {
  local mask=$((16#$1)) i out=()
  for ((i = 0; i < 64; i++)); do
    (((mask >> i) & 1)) && out+=("$i")
  done
  echo "${out[*]:-none}"
}

# caps_ok PID: every thread of PID has exactly the wanted sets; fails naming what differs.
caps_ok() {
  local pid=$1 task field want got tasks=0
  for task in /proc/"$pid"/task/*; do
    tasks=$((tasks + 1))
    for field in CapEff CapPrm CapBnd CapInh CapAmb NoNewPrivs; do
      case $field in
        CapEff | CapPrm) want=$want_caps ;;
        CapBnd) want=$want_bnd ;;
        CapInh | CapAmb) want=0000000000000000 ;;
        NoNewPrivs) want=1 ;;
      esac
      got=$(awk -v f="$field:" '$1 == f { print $2 }' "$task/status")
      if [[ "$got" != "$want" ]]; then
        [[ $field == NoNewPrivs ]] && fail "$task: NoNewPrivs $got, want $want"
        fail "$task: $field $got (capabilities $(caps_list "$got")), want $want ($(caps_list "$want"))"
      fi
    done
  done
  ((tasks > 0)) || fail "no /proc/$pid/task: floatd is gone"
  log "pid $pid ($tasks thread(s)): CapEff=CapPrm=$want_caps ($(caps_list $want_caps)), CapBnd=$want_bnd, no inheritable/ambient, NoNewPrivs 1"
}

node_start n1
node_start n2
wait_until 10 holders_are n1 || fail "n1 did not become MASTER (is its unprivileged check failing?), holders: '$(vip_holders)'"
wait_until 3 instance_state_is n1 web MASTER || fail "n1's instance is not MASTER"
n1_pid=${NODE_PID[n1]}
caps_ok "$n1_pid"
grep -q 'privileges: kept CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW' "${NODE_LOG[n1]}" ||
  fail "n1 did not log the capabilities it kept"
if grep -qi 'privileges:.*\(cannot\|failed\|error\)' "${NODE_LOG[n1]}"; then
  fail "n1 logged a privilege error: $(grep -i 'privileges:' "${NODE_LOG[n1]}")"
fi
grep -qF "check 'unprivileged' is now failing" "${NODE_LOG[n1]}" &&
  fail "the unprivileged check failed at least once: $(grep unprivileged "${NODE_LOG[n1]}" | tail -n 3)"
log "n1 is MASTER: its check runs as the script user, without capabilities"

# ---- floatctl as nobody: reading works, changing is refused
chmod 0666 "$E2E_WORK/n1.sock"  # test-only: the real socket is 0660, group floatd
for args in "status" "peers" "history" "metrics" "reload --plan"; do
  # shellcheck disable=SC2086 # $args: words
  reply=$(as_nobody -s "$E2E_WORK/n1.sock" $args 2>&1) || fail "floatctl $args as nobody failed: $reply"
done
[[ "$(as_nobody -s "$E2E_WORK/n1.sock" status 2>&1)" == *MASTER* ]] || fail "floatctl status as nobody does not show MASTER"
log "as nobody: status, peers, history, metrics, reload --plan work"

refused() { # refused WANT_MESSAGE ARGS...: floatctl ARGS as nobody exits 1 with the message
  local want=$1 rc=0 reply
  shift
  reply=$(as_nobody -s "$E2E_WORK/n1.sock" "$@" 2>&1) || rc=$?
  ((rc == 1)) || fail "floatctl $* as nobody: exit $rc, want 1 ($reply)"
  [[ "$reply" == *"$want"* ]] || fail "floatctl $* as nobody says '$reply', want '$want'"
}
refused "resign needs root (uid 0): you are uid 65534" resign web
refused "maintenance on needs root (uid 0): you are uid 65534" maintenance on
refused "reload needs root (uid 0): you are uid 65534" reload
refused "restart needs root (uid 0): you are uid 65534" restart
hold_for 1 holders_are n1 || fail "a refused request moved the VIP"
instance_state_is n1 web MASTER || fail "n1 is not MASTER after the refused requests"
[[ ! -e "$E2E_WORK/n1.state/maintenance" ]] || fail "a refused maintenance on left the flag"
(($(grep -c 'control socket: refused a request' "${NODE_LOG[n1]}") == 4)) ||
  fail "n1 did not log the 4 refused requests"
log "as nobody: resign, maintenance on, reload, restart refused; n1 still MASTER"

# ---- hitless restart with the reduced bounding set: the new process gets the same
before=$(grep -c 'privileges: kept' "${NODE_LOG[n1]}")
reply=$(ctl n1 restart) || fail "floatctl restart as root failed: $reply"
[[ "$reply" == *"floatd restarted"* && "$reply" == *MASTER* ]] || fail "floatctl restart printed: $reply"
{ [[ "${NODE_PID[n1]}" == "$n1_pid" ]] && node_alive n1; } || fail "n1 is not the same process after the restart"
(($(grep -c 'privileges: kept CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW' "${NODE_LOG[n1]}") == before + 1)) ||
  fail "the restarted floatd did not log its capabilities"
caps_ok "$n1_pid"
hold_for 1 holders_are n1 || fail "the VIP moved after the hitless restart"
log "hitless restart: same PID, same capabilities, VIP kept"

# ---- root may resign
ctl n1 resign web >/dev/null || fail "floatctl resign web as root failed"
wait_until 3 holders_are n2 || fail "root's resign did not hand the VIP to n2, holders: '$(vip_holders)'"
pass "floatd keeps CAP_SETGID CAP_SETUID CAP_NET_ADMIN CAP_NET_RAW (bounding too), scripts run unprivileged, nobody may read but not change, root may"

#!/usr/bin/env bash
# floatd live demo, on a Debian 12 machine, as root: tests/demo.sh
#
# Installs the dependencies, builds floatd, then runs a 3-node floatd cluster and a client
# in network namespaces on this machine (nothing outside those namespaces is touched):
# the election, the master losing its link, the VIP moving, the outage the client saw,
# the link coming back and the higher priority preempting back. Everything is removed at
# the end, also on Ctrl-C or failure.
set -euo pipefail

if ((EUID != 0)); then
  echo "demo.sh: must run as root (it creates network namespaces and installs packages): tests/demo.sh" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-build}

echo "== floatd demo: installing dependencies and building ($BUILD_DIR/) =="
echo "   (the first build takes 4-8 minutes on 2 cores and prints nothing; the log is shown only if it fails)"
tests/install-deps.sh
build_log=$(mktemp /tmp/floatd-demo-build-XXXXXX.log)
trap 'rm -f "$build_log"' EXIT # replaced by the harness's cleanup trap below
if ! { cmake -S . -B "$BUILD_DIR" -DFLOATD_E2E=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
       cmake --build "$BUILD_DIR" -j"${JOBS:-2}" --target floatd floatctl vip_probe; } >"$build_log" 2>&1; then
  tail -n 40 "$build_log"
  echo "demo.sh: build failed (the lines above are the end of the build log)" >&2
  exit 1
fi
rm -f "$build_log"
echo "built $("$ROOT/$BUILD_DIR/agent/floatd" --version)"
echo

# The e2e harness does the namespace plumbing and the cleanup (trap on EXIT/INT/TERM: the
# floatd processes are stopped and the namespaces deleted).
E2E_DEADLINE=${E2E_DEADLINE:-90}
E2E_QUIET_INTERRUPT=1 # Ctrl-C: just clean up, no log dump
export E2E_DEADLINE E2E_QUIET_INTERRUPT
# shellcheck source=tests/e2e/lib.sh
source "$ROOT/tests/e2e/lib.sh"
e2e_init demo "$ROOT/$BUILD_DIR/agent/floatd" "$ROOT/$BUILD_DIR/tests/e2e/vip_probe" >/dev/null

say() { log "$@"; }
show_holder() { say "VIP $VIP is on: $(vip_holders | sed 's/^$/(nobody)/')"; }
state_changes() { # the state-change lines floatd logged since the last call, per node
  local n
  for n in "${E2E_NODES[@]}"; do
    grep -E ': (INIT|BACKUP|MASTER|FAULT) -> ' "${NODE_LOG[$n]}" | tail -n +"$((${SEEN[$n]:-0} + 1))" |
      sed -E "s/^[0-9-]+ ([0-9:.]+) [a-z]+ [a-z]+: /      $n \1  /"
    SEEN[$n]=$(grep -cE ': (INIT|BACKUP|MASTER|FAULT) -> ' "${NODE_LOG[$n]}" || true)
  done
}
declare -A SEEN=()

echo "== cluster: three floatd nodes and a client on one bridge (network namespaces) =="
echo "   n1 192.0.2.1 priority 150 | n2 192.0.2.2 priority 120 | n3 192.0.2.3 priority 100"
echo "   VIP $VIP/24, VRID $VRID, adverts every 100 ms; client 192.0.2.200"
echo
add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_node n3 192.0.2.3
add_client
node_config n1 150
node_config n2 120
node_config n3 100
say "starting floatd on n1, n2 and n3"
node_start n1
node_start n2
node_start n3
wait_until 5 holders_are n1 || fail "no single VIP holder after 5 s (holders: '$(vip_holders)')"
say "election done:"
state_changes
show_holder
sleep 1

echo
say "the client starts pinging the VIP every 5 ms"
probe_start 20 >/dev/null
sleep 1
say "cutting n1's link:  ip -n $(ns_of n1) link set eth0 down"
link_down n1
wait_until 5 holders_are n2 || fail "the VIP did not move to n2 alone (holders: '$(vip_holders)')"
say "the VIP moved:"
state_changes
show_holder
sleep 1
probe_stop >/dev/null
say ">>> the client lost the VIP for ${PROBE_MAX_GAP_MS} ms (longest gap between ping replies)"
failover_ms=$PROBE_MAX_GAP_MS

echo
probe_start 20 >/dev/null
say "restoring n1's link: ip -n $(ns_of n1) link set eth0 up"
link_up n1
wait_until 5 holders_are n1 || fail "n1 did not preempt back (holders: '$(vip_holders)')"
say "n1 (priority 150) preempted back:"
state_changes
show_holder
sleep 1
probe_stop >/dev/null
say ">>> the client lost the VIP for ${PROBE_MAX_GAP_MS} ms during the handover back"

echo
say "stopping floatd everywhere (SIGTERM: a priority-0 advert, then the VIPs are released)"
for n in n1 n2 n3; do node_signal "$n" TERM; done
for n in n1 n2 n3; do node_reap "$n" 5 || fail "$n did not stop"; done
show_holder
say "demo done: failover after a link cut cost the client ${failover_ms} ms, preemption back ${PROBE_MAX_GAP_MS} ms"
say "removing the namespaces"

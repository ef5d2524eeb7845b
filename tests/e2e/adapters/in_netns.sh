#!/bin/bash
# Runs a command inside a fresh, uniquely named network namespace and deletes the namespace on
# exit, whether the command passed, failed or was interrupted. register_netns_tests.cmake runs
# every doctest case through it, so each case gets a namespace of its own.
# Usage: in_netns.sh PROGRAM [ARGS...]
set -euo pipefail

# Namespaces left by a wrapper that was killed with SIGKILL (no trap runs then, e.g. a ctest
# timeout): ours are named fdt-<wrapper pid>-<random>, so one whose wrapper is gone is stale.
for stale in $(ip netns list | awk '/^fdt-[0-9]+-[0-9]+/ { print $1 }'); do
  owner="${stale#fdt-}"
  owner="${owner%%-*}"
  if ! kill -0 "$owner" 2>/dev/null; then
    ip netns delete "$stale" 2>/dev/null || true
  fi
done

ns="fdt-$$-$RANDOM"
trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

# The command runs in the background so that SIGINT/SIGTERM reach this script at once (bash
# defers traps while a foreground child runs); they are passed on, and the EXIT trap cleans up.
ip netns exec "$ns" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
while true; do
  status=0
  wait "$child" || status=$?
  # A trapped signal interrupts wait while the child may still be running: wait again.
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"

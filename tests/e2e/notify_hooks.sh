#!/usr/bin/env bash
# Notify hooks run one at a time, in event order, even when the instance flaps faster than
# they run. n1 (150) tracks a file (weight 0); its `notify` hook takes 30-70 ms (it sleeps),
# records "$FLOATD_PREV_STATE -> $FLOATD_STATE" and fails loudly if another hook is running
# (a mkdir lock); on_master and on_backup record a line too. n2 (100) is the peer.
# The file flips 0/1 every 40 ms, 20 times: n1 goes FAULT <-> BACKUP/MASTER faster than the
# hooks run, so they queue. Then, once quiet, every hook has run: the recorded sequence is
# exactly n1's transitions from its log, in order, each notify followed by its on_* hook,
# none overlapping.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[notify_hooks] SKIP: tests floatd's notify hooks (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init notify_hooks "$@"
floatctl_init

FLAP="$E2E_WORK/flap"
echo 0 >"$FLAP"
# Hooks run as the script user (floatd-script or nobody): a directory it can write to.
chmod 0711 "$E2E_WORK"
OUT="$E2E_WORK/hooks"
mkdir -m 1777 "$OUT"
HOOK="$OUT/hook.sh"
cat >"$HOOK" <<'EOF'
#!/bin/sh
# hook.sh KIND: one line per call; a second hook running at the same time is an error.
dir=$(dirname "$0")
mkdir "$dir/lock" 2>/dev/null || { echo "OVERLAP $1" >>"$dir/sequence"; exit 1; }
[ "$1" = notify ] && sleep "0.0$((3 + $(od -An -N1 -tu1 /dev/urandom) % 5))"
echo "$1 $FLOATD_INSTANCE $FLOATD_PREV_STATE -> $FLOATD_STATE" >>"$dir/sequence"
rmdir "$dir/lock"
EOF
chmod 0755 "$HOOK"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
node_config n1 150
cat >>"${NODE_CONF[n1]}" <<EOF
track = [{ file = "$FLAP" }]
notify = ["$HOOK", "notify"]
on_master = ["$HOOK", "on_master"]
on_backup = ["$HOOK", "on_backup"]
on_fault = ["$HOOK", "on_fault"]
EOF
node_config n2 100
node_start n1
node_start n2
wait_until 5 holders_are n1 || fail "n1 is not the only holder: '$(vip_holders)'"
sleep 0.5

log "flapping n1's tracked file 20 times, 40 ms apart"
for ((i = 0; i < 20; i++)); do
  echo $(((i + 1) % 2)) >"$FLAP"
  sleep 0.04
done
echo 0 >"$FLAP"
wait_until 5 holders_are n1 || fail "n1 did not settle as the holder: '$(vip_holders)'"

# expected_sequence: n1's transitions from its log, as the hooks would record them.
expected_sequence() {
  sed -nE 's/.*web \(vrid [0-9]+\): (INIT|BACKUP|MASTER|FAULT) -> (BACKUP|MASTER|FAULT), .*/\1 \2/p' "${NODE_LOG[n1]}" |
    while read -r from to; do
      [[ "$from" == INIT ]] && from=STOP
      echo "notify web $from -> $to"
      echo "on_${to,,} web $from -> $to"
    done
}
settled() { [[ "$(expected_sequence)" == "$(cat "$OUT/sequence" 2>/dev/null)" ]]; }
wait_until 15 settled || {
  diff <(expected_sequence) "$OUT/sequence" >&2 || true
  fail "the hooks' sequence differs from n1's transitions (diff above: expected < > recorded)"
}
transitions=$(expected_sequence | grep -c '^notify')
((transitions >= 6)) || fail "only $transitions transitions: the flapping did not flap"
grep -q OVERLAP "$OUT/sequence" && fail "two hooks ran at the same time"
log "$transitions transitions, $((transitions * 2)) hooks recorded in order, none overlapping"
result hook_transitions "$transitions"

pass "notify hooks: $((transitions * 2)) hooks for $transitions transitions under flapping, in event order, one at a time"

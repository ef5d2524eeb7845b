#!/usr/bin/env bash
# A sync group fails over as one unit. n1 (150) and n2 (100) both run instances web (VRID
# 51, VIP 192.0.2.100) and db (VRID 52, VIP 192.0.2.101) in group "lb"; on n1, db tracks a
# file (weight 0: FAULT while it holds a non-zero number).
#   a) db's file says 1: db goes to FAULT and web follows it (held in FAULT by the group):
#      n2 holds both VIPs, n1 none; web's reason names the group.
#   b) the file says 0: both come back to n1 (preemption).
#   c) floatctl resign web on n1: db leaves MASTER with it, both VIPs move to n2 and stay
#      there (a resign does not preempt back).
# At every 20 ms sample no VIP is held by two nodes.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[sync_group] SKIP: tests floatd's sync groups (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init sync_group "$@"
floatctl_init

WEB_VIP=$VIP
DB_VIP=192.0.2.101
FAULT_FILE="$E2E_WORK/db.fault"
echo 0 >"$FAULT_FILE"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
node_config n1 150
node_config n2 100
# add_db NAME PRIORITY [TRACK]: the second instance, and the group of both.
add_db() {
  cat >>"${NODE_CONF[$1]}" <<EOF

[[instance]]
name = "db"
interface = "eth0"
vrid = 52
priority = $2
advert_interval = "100ms"
vips = ["$DB_VIP/24"]
${3:-}

[[group]]
name = "lb"
instances = ["web", "db"]
EOF
}
add_db n1 150 "track = [{ file = \"$FAULT_FILE\" }]"
add_db n2 100

both_on() { [[ "$(address_holders "$WEB_VIP")" == "$1" && "$(address_holders "$DB_VIP")" == "$1" ]]; }
holders_text() { echo "web '$(address_holders "$WEB_VIP")', db '$(address_holders "$DB_VIP")'"; }
no_double() {
  local web db
  web=$(address_holders "$WEB_VIP") db=$(address_holders "$DB_VIP")
  [[ "$web" != *" "* && "$db" != *" "* ]]
}
# watch_until TIMEOUT_S CONDITION...: like wait_until, failing at once if a VIP has two holders.
watch_until() {
  local deadline=$(($(date +%s%N) + $1 * 1000000000))
  shift
  while :; do
    no_double || fail "a VIP has two holders: $(holders_text)"
    "$@" && return 0
    (($(date +%s%N) >= deadline)) && return 1
    sleep 0.02
  done
}

node_start n1
node_start n2
watch_until 5 both_on n1 || fail "n1 does not hold both VIPs: $(holders_text)"
sleep 1

log "a) db's tracked file says 1"
t0=$(date +%s%N)
echo 1 >"$FAULT_FILE"
watch_until 5 both_on n2 || fail "a) n2 does not hold both VIPs: $(holders_text)"
moved_ms=$((($(date +%s%N) - t0) / 1000000))
wait_until 2 instance_state_is n1 web FAULT || fail "a) n1's web is $(instance_field n1 web state), want FAULT"
instance_state_is n1 db FAULT || fail "a) n1's db is $(instance_field n1 db state), want FAULT"
grep -q "web (vrid 51): MASTER -> FAULT, priority 150: sync group 'lb': db in FAULT" "${NODE_LOG[n1]}" ||
  fail "a) n1's web did not go to FAULT because of its group"
hold_for 1 both_on n2 || fail "a) the VIPs did not stay on n2"
log "a) both VIPs on n2 within ${moved_ms} ms (polled)"
result group_fault_move_ms "$moved_ms"

log "b) the file says 0"
echo 0 >"$FAULT_FILE"
watch_until 5 both_on n1 || fail "b) the VIPs did not come back to n1: $(holders_text)"
sleep 1

log "c) floatctl resign web on n1"
ctl n1 resign web >/dev/null || fail "c) floatctl resign web failed"
watch_until 5 both_on n2 || fail "c) n2 does not hold both VIPs: $(holders_text)"
grep -q "db (vrid 52): MASTER -> BACKUP, priority 150: sync group 'lb': web left MASTER (resigned by the operator)" \
  "${NODE_LOG[n1]}" || fail "c) n1's db did not leave MASTER with web"
hold_for 1.5 both_on n2 || fail "c) the VIPs did not stay on n2 after the resign"

pass "sync group: db's FAULT took web along (both on n2 within ${moved_ms} ms), both came back, a resign of web moved db too"

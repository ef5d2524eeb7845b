#!/usr/bin/env bash
# Reload of a running master without disturbing what did not change. A pair (n1 150,
# n2 100, 100 ms adverts) runs two instances, web (192.0.2.100) and db (192.0.2.101);
# a client pings web's VIP every 5 ms. n1's file then changes db's VIP to 192.0.2.102
# and adds a third instance, api (192.0.2.103, on n1 only). Asserts:
# - `floatctl reload --plan` and `floatd --check --plan` print the same plan: web
#   unchanged, db updated in place (+.102 -.101), api added; nothing is applied by a plan;
# - `floatctl reload` applies it (and a new global.metrics_textfile): .102 and .103 appear
#   on n1, .101 goes, the metrics file shows api MASTER; web's VIP is never
#   deleted (ip monitor address in n1's namespace), web makes no state change and the client
#   sees no outage (< E2E_MAX_GAP_MS, 100 ms);
# - a broken file: `floatctl reload` exits 1 naming FILE:LINE:COL and nothing changes;
#   SIGHUP logs the same error and "reload refused"; floatd keeps running with every VIP.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init reload "$@"
floatctl_init
max_gap=${E2E_MAX_GAP_MS:-100}

# reload_config NAME PRIORITY "INSTANCE VRID VIP" ...: the node's config with these instances
# (and global.metrics_textfile when METRICS_FILE is set).
reload_config() {
  local name=$1 prio=$2 spec inst vrid vip
  shift 2
  NODE_CONF[$name]="$E2E_WORK/$name.toml"
  {
    printf '[global]\nrouter_id = "%s"\ncontrol_socket = "%s"\nstate_dir = "%s"\n' \
      "$name" "$E2E_WORK/$name.sock" "$E2E_WORK/$name.state"
    [[ -z "${METRICS_FILE:-}" ]] || printf 'metrics_textfile = "%s"\n' "$METRICS_FILE"
    for spec in "$@"; do
      read -r inst vrid vip <<<"$spec"
      printf '\n[[instance]]\nname = "%s"\ninterface = "eth0"\nvrid = %s\npriority = %s\n' \
        "$inst" "$vrid" "$prio"
      printf 'advert_interval = "100ms"\nvips = ["%s/24"]\n' "$vip"
    done
  } >"${NODE_CONF[$name]}"
}

n1_has() { [[ "$(ip -n "${NODE_NS[n1]}" -4 -o addr show dev eth0)" == *" inet $1/"* ]]; }
n1_lacks() { ! n1_has "$1"; }
web_transitions() { grep -cE 'web: (INIT|BACKUP|MASTER|FAULT) -> ' "${NODE_LOG[n1]}" || true; }

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
reload_config n1 150 "web 51 192.0.2.100" "db 52 192.0.2.101"
reload_config n2 100 "web 51 192.0.2.100" "db 52 192.0.2.101"
node_start n1
node_start n2
wait_until 5 n1_has 192.0.2.100 || fail "n1 did not take web's VIP"
wait_until 5 n1_has 192.0.2.101 || fail "n1 did not take db's VIP"
web_before=$(web_transitions)

monitor_log="$E2E_WORK/n1.addresses"
ip netns exec "${NODE_NS[n1]}" ip -ts monitor address >"$monitor_log" 2>&1 &
monitor_pid=$!
probe_start 30

METRICS_FILE="$E2E_WORK/n1.prom" reload_config n1 150 "web 51 192.0.2.100" "db 52 192.0.2.102" "api 53 192.0.2.103"
expected_plan=$'instance web: unchanged\ninstance db: updated in place: vips +192.0.2.102/24 -192.0.2.101/24\ninstance api: added'
expected_plan+=$'\nglobal: metrics_textfile \'\' -> \''"$E2E_WORK/n1.prom"\'
plan=$(ctl n1 reload --plan) || fail "floatctl reload --plan failed: $plan"
[[ "$(sed -n 's/^  //p' <<<"$plan")" == "$expected_plan" ]] || fail "floatctl reload --plan printed:
$plan"
check_plan=$(ip netns exec "${NODE_NS[n1]}" "$FLOATD" --check --plan -c "${NODE_CONF[n1]}") ||
  fail "floatd --check --plan failed: $check_plan"
[[ "$(sed -n 's/^#   //p' <<<"$check_plan")" == "$expected_plan" && "$check_plan" == *"configuration OK" ]] ||
  fail "floatd --check --plan printed:
$check_plan"
n1_has 192.0.2.101 && n1_lacks 192.0.2.102 || fail "a plan changed the addresses"
log "plans agree: $(tr '\n' '|' <<<"$expected_plan")"

out=$(ctl n1 reload) || fail "floatctl reload failed: $out"
[[ "$out" == reloaded:* ]] || fail "floatctl reload printed: $out"
wait_until 2 n1_has 192.0.2.102 || fail "db's new VIP did not appear on n1"
wait_until 2 n1_lacks 192.0.2.101 || fail "db's old VIP stayed on n1"
wait_until 5 n1_has 192.0.2.103 || fail "the new instance api did not become MASTER on n1"
grep -q 'instance db: updated in place: vips +192.0.2.102/24 -192.0.2.101/24' "${NODE_LOG[n1]}" ||
  fail "the applied change is not logged"
api_master_in_metrics() { grep -q '^floatd_instance_state{instance="api",vrid="53",state="MASTER"} 1$' "$E2E_WORK/n1.prom" 2>/dev/null; }
wait_until 3 api_master_in_metrics || fail "metrics_textfile does not show api MASTER: $(head -c 600 "$E2E_WORK/n1.prom" 2>&1)"

# A broken file: refused by both paths, nothing touched.
printf '[[instance]]\nname = "web"\nvrid = 300\n' >"${NODE_CONF[n1]}"
if out=$(ctl n1 reload 2>&1); then fail "a broken file was reloaded: $out"; fi
[[ "$out" == *"nothing was changed"* && "$out" == *"${NODE_CONF[n1]}:3:"* ]] ||
  fail "floatctl reload of a broken file printed: $out"
node_signal n1 HUP
wait_until 3 grep -q 'reload refused' "${NODE_LOG[n1]}" || fail "SIGHUP with a broken file: no 'reload refused' in the log"
grep -q "${NODE_CONF[n1]}:3:" "${NODE_LOG[n1]}" || fail "SIGHUP: the error does not name FILE:LINE"
all_vips() { n1_has 192.0.2.100 && n1_has 192.0.2.102 && n1_has 192.0.2.103; }
hold_for 1 all_vips || fail "after a refused reload n1 lost a VIP: $(ip -n "${NODE_NS[n1]}" -4 -o addr show dev eth0)"
node_alive n1 || fail "n1 stopped after a refused reload"

probe_stop
kill "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
if grep -q 'Deleted.* 192\.0\.2\.100/' "$monitor_log"; then
  fail "web's VIP was deleted during the reload: $(grep 192.0.2.100 "$monitor_log")"
fi
grep -q 'Deleted.* 192\.0\.2\.101/' "$monitor_log" || fail "ip monitor did not see db's old VIP go (monitor broken?)"
(($(web_transitions) == web_before)) || fail "web changed state during the reload"
result web_max_gap_ms "$PROBE_MAX_GAP_MS"
lt "$PROBE_MAX_GAP_MS" "$max_gap" || fail "the client lost web's VIP for $PROBE_MAX_GAP_MS ms during the reload"
pass "reload applied only the change (web untouched, gap ${PROBE_MAX_GAP_MS} ms); broken files refused"

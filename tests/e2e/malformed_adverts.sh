#!/usr/bin/env bash
# With a stable master (n1, 150) and backup (n2, 100), a third namespace injects adverts
# for the same VRID at priority 254 that must be dropped: TTL 254, bad checksum,
# truncated, address count larger than the packet, VRRPv2, zero interval. Nothing may
# change: the same single holder at every 20 ms sample, and no state change in either
# log. Then a correct priority-254 advert from the same injector makes n1 step down
# (proof that the injector reaches the nodes); when it stops, n1 takes the VIP back.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init malformed_adverts "$@"
PY=/usr/bin/python3
INJECT="$E2E_DIR/tools/inject_advert.py"
KINDS=${E2E_MALFORMED_KINDS:-ttl,checksum,truncated,count,version2,zero-interval}
INJ_LOG="$E2E_WORK/inject.log"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client inj 192.0.2.50
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
sleep 1

inject() { # inject KINDS SECONDS_PER_KIND: the injector in the background, INJ_PID
  ip netns exec "$(ns_of inj)" "$PY" "$INJECT" --iface eth0 --src 192.0.2.50 --vrid "$VRID" \
    --priority 254 --vip "$VIP" --kind "$1" --interval 0.1 --duration "$2" >>"$INJ_LOG" 2>&1 &
  INJ_PID=$!
}
inject_wait() {
  wait_until 30 _not_alive "$INJ_PID" || fail "injector did not finish"
  wait "$INJ_PID" || fail "injector failed: $(tail -n 5 "$INJ_LOG")"
}
current_kind() { awk '$2 == "begin" { k = $3 } END { print k }' "$INJ_LOG"; }
unchanged() { holders_are n1 && [[ "$(transitions n1) $(transitions n2)" == "$t1 $t2" ]]; }

t1=$(transitions n1) t2=$(transitions n2)
log "injecting malformed adverts at priority 254: $KINDS (1.5 s each)"
inject "$KINDS" 1.5
while _any_alive "$INJ_PID"; do # bounded: the injector stops after 1.5 s per kind
  unchanged || fail "while '$(current_kind)' adverts were sent: holders '$(vip_holders)'," \
    "transition lines n1 $t1 -> $(transitions n1), n2 $t2 -> $(transitions n2)"
  sleep 0.02
done
inject_wait
hold_for 1 unchanged || fail "after the malformed adverts: holders '$(vip_holders)'," \
  "transition lines n1 $t1 -> $(transitions n1), n2 $t2 -> $(transitions n2)"
grep -E ' (begin|end) ' "$INJ_LOG" | sed 's/^/  injector: /'
log "all ignored: n1 stayed the only holder, no state change logged"

log "control: correct adverts at priority 254 for 3 s"
inject good 3
wait_until 5 holders_are || fail "a correct priority-254 advert did not make n1 step down, holders: '$(vip_holders)'"
log "n1 stepped down (nobody holds the VIP while the injector is master)"
inject_wait
wait_until 3 holders_are n1 || fail "n1 did not take the VIP back after the injector stopped, holders: '$(vip_holders)'"
(($(transitions n1) > t1)) || fail "n1 stepped down but logged no state change"
pass "malformed adverts ($KINDS) ignored; a correct one made n1 step down, and it came back"

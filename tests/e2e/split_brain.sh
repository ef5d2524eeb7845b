#!/usr/bin/env bash
# Split brain and its healing. The switch drops VRRP (IP protocol 112) between the ports
# with an nftables bridge rule: n1 (150) and n2 (100) stop hearing each other, and both
# become MASTER with the VIP (the client talks to whichever announced last: n2). When the
# rule goes, n2 hears the higher priority and releases the VIP, and n1, hearing a lower
# speaker claim MASTER, re-announces its VIPs (gratuitous ARP), so the client's ARP entry
# moves back to n1 at once, not after its neighbour entry times out (seconds).
# Asserts: during the partition both hold the VIP (the partition is real); after healing
# exactly n1 holds it within a master down interval + 1 s; the client's neighbour entry for
# the VIP names n1's MAC within 1 s, and the client gets replies again.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${E2E_SPEAKER:-floatd}" != floatd ]]; then
  echo "[split_brain] SKIP: tests floatd's re-announcement (E2E_SPEAKER=floatd only)" >&2
  exit 77
fi
e2e_init split_brain "$@"
command -v nft >/dev/null || fail "nft is needed (tests/install-deps.sh installs nftables)"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
node_config n1 150
node_config n2 100
node_start n1
node_start n2
wait_until 5 holders_are n1 || fail "n1 is not the only holder: '$(vip_holders)'"
sleep 0.5

mac_of() { ip -n "${NODE_NS[$1]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p'; }
client_neigh_mac() {
  ip -n "${NODE_NS[client]}" neigh show "$VIP" dev eth0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'
}
client_uses() { [[ "$(client_neigh_mac)" == "$(mac_of "$1")" ]]; }
mac_n1=$(mac_of n1)

log "partition: the switch drops VRRP between the nodes"
ip netns exec "$E2E_SW" nft -f - <<'EOF'
table bridge fde_partition {
  chain forward {
    type filter hook forward priority 0;
    ip protocol 112 drop
  }
}
EOF
wait_until 3 holders_are n1 n2 || fail "the partition did not make both MASTER: '$(vip_holders)'"
# The client follows n2's gratuitous ARP.
ip netns exec "${NODE_NS[client]}" ping -c1 -W1 -q "$VIP" >/dev/null 2>&1 || true
wait_until 3 client_uses n2 || fail "the client does not use n2 during the partition (neighbour: $(client_neigh_mac))"
log "both hold the VIP; the client uses n2"

log "healing the partition"
ip netns exec "$E2E_SW" nft delete table bridge fde_partition
t0=$(date +%s%N)
wait_until 1.4 holders_are n1 || fail "n1 is not the only holder 1.4 s after healing: '$(vip_holders)'"
healed_ms=$((($(date +%s%N) - t0) / 1000000))
wait_until 1 client_uses n1 ||
  fail "the client's neighbour entry for the VIP still names $(client_neigh_mac) 1 s after n1 alone held the VIP (n1 is $mac_n1): no re-announcement?"
moved_ms=$((($(date +%s%N) - t0) / 1000000))
ip netns exec "${NODE_NS[client]}" ping -c1 -W1 -q "$VIP" >/dev/null 2>&1 || fail "the client gets no reply from the VIP"
grep -q "web (vrid 51): MASTER -> BACKUP, priority 100: higher-priority advert from 192.0.2.1" "${NODE_LOG[n2]}" ||
  fail "n2 did not step down for n1"
log "one holder (n1) ${healed_ms} ms after healing; the client's ARP entry names n1 ${moved_ms} ms after healing"
result split_brain_heal_ms "$healed_ms"
result split_brain_client_arp_ms "$moved_ms"
pass "split brain healed: n1 alone after ${healed_ms} ms, the client on n1 after ${moved_ms} ms"

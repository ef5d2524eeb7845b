#!/usr/bin/env bash
# floatd doctor against real namespaces: its findings fire when the problem is really there,
# and a healthy setup passes (exit 0).
#
# n1 is the host examined (floatd doctor runs in its namespace; floatd itself never runs
# there); n2 is a peer of the same virtual router (vrid 51, the VIP); n3 is a foreign router
# on the same VRID with another VIP. In turn:
#   healthy          n2 is MASTER: exit 0, "no problems found", n2 heard as a peer
#   interface down   eth0 set down: an error naming eth0
#   rp_filter        net.ipv4.conf.eth0.rp_filter=1: a warning
#   firewall         an nft rule dropping protocol 112: an error, and (proof that it bites)
#                    the doctor's own listener hears no advert any more
#   check scripts    a group/world-writable and a non-executable check program: errors
#   networkd         systemd-networkd manages eth0: a warning; none once the shipped drop-in
#                    (packaging/network/networkd-floatd.conf) is installed
#   foreign router   n2 stopped, n3 (vrid 51, VIP 192.0.2.101) MASTER: an error naming n3
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init doctor "$@"

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_node n3 192.0.2.3
node_config n1 150
node_config n2 100
node_config n3 200
readonly OTHER_VIP=192.0.2.101
sed -i "s|\"$VIP/$VIP_PREFIX\"|\"$OTHER_VIP/$VIP_PREFIX\"|" "${NODE_CONF[n3]}"
grep -q "$OTHER_VIP" "${NODE_CONF[n3]}" || fail "could not give n3 its own VIP"
# A check that runs fine, so the healthy run covers the script checks too.
cat >>"${NODE_CONF[n1]}" <<'EOF'

[[check]]
name = "true"
command = ["/bin/true"]
EOF
NS1=$(ns_of n1)

# Known sysctls in n1, whatever this machine's defaults are (a new namespace inherits them).
ip netns exec "$NS1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=2 \
  net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0

DOCTOR_RC=0
DOCTOR_OUT=""
# run_doctor STEP [CONFIG] [DOCTOR ARGS...]: floatd doctor in n1 (bounded: 30 s); sets
# DOCTOR_RC and DOCTOR_OUT (the file with its stdout and stderr).
run_doctor() {
  local step=$1 conf=${2:-${NODE_CONF[n1]}}
  shift $(($# >= 2 ? 2 : 1))
  DOCTOR_OUT="$E2E_WORK/doctor-$step.out"
  DOCTOR_RC=0
  timeout 30 ip netns exec "$NS1" "$FLOATD" doctor -c "$conf" "$@" >"$DOCTOR_OUT" 2>&1 ||
    DOCTOR_RC=$?
  vlog "doctor ($step) exit $DOCTOR_RC: $(cat "$DOCTOR_OUT")"
}
# expect RC PATTERN...: the last run exited RC and printed every (fixed-string) PATTERN.
expect() {
  local rc=$1 p
  shift
  [[ "$DOCTOR_RC" == "$rc" ]] ||
    fail "doctor exited $DOCTOR_RC, expected $rc; it printed:"$'\n'"$(cat "$DOCTOR_OUT")"
  for p in "$@"; do
    grep -qF -- "$p" "$DOCTOR_OUT" ||
      fail "doctor did not print '$p'; it printed:"$'\n'"$(cat "$DOCTOR_OUT")"
  done
}
# shellcheck disable=SC2317 # called through wait_until
eth0_carrier() { [[ "$(ip netns exec "$NS1" cat /sys/class/net/eth0/carrier 2>/dev/null)" == 1 ]]; }
# shellcheck disable=SC2317 # called through wait_until
n3_holds_its_vip() { [[ "$(ip -n "$(ns_of n3)" -4 -o addr show dev eth0)" == *" inet $OTHER_VIP/"* ]]; }

# --- healthy: a peer MASTER, nothing wrong ---------------------------------------------------
node_start n2
wait_until 3 holders_are n2 || fail "n2 did not take the VIP (holders: '$(vip_holders)')"
run_doctor healthy
expect 0 "no problems found" "heard a peer of this virtual router: 192.0.2.2 (priority 100"
log "healthy: exit 0, peer 192.0.2.2 heard"

# --- the interface is down ---------------------------------------------------------------------
link_down n1
run_doctor down "" --listen 0s
expect 1 "error    interface eth0: is down" "fix: ip link set eth0 up"
link_up n1
wait_until 5 eth0_carrier || fail "n1's eth0 did not come back up"
log "interface down: reported"

# --- strict reverse-path filtering --------------------------------------------------------------
ip netns exec "$NS1" sysctl -qw net.ipv4.conf.eth0.rp_filter=1
run_doctor rp_filter "" --listen 0s
expect 1 "warning  interface eth0: strict reverse-path filtering is on (rp_filter all=0, eth0=1" \
  "sysctl -w net.ipv4.conf.eth0.rp_filter=2"
ip netns exec "$NS1" sysctl -qw net.ipv4.conf.eth0.rp_filter=2
log "rp_filter=1: reported"

# --- a firewall dropping VRRP -----------------------------------------------------------------
if command -v nft >/dev/null; then
  ip netns exec "$NS1" nft -f - <<'EOF'
table inet fdtest {
  chain input {
    type filter hook input priority 0; policy accept;
    ip protocol vrrp drop
  }
}
EOF
  run_doctor firewall
  # The listener sits behind the input hook: hearing nothing shows the rule really drops.
  expect 1 "error    firewall (nftables): chain 'inet fdtest input' drops VRRP adverts" \
    "nft insert rule inet fdtest input iifname \"eth0\" ip protocol vrrp" \
    "no adverts for vrid $VRID heard on eth0"
  ip netns exec "$NS1" nft delete table inet fdtest
  run_doctor firewall-removed
  expect 0 "heard a peer of this virtual router: 192.0.2.2"
  log "firewall: reported, and the adverts were really gone until the rule was removed"
else
  log "SKIP firewall step: nft is not installed"
fi

# --- unsafe and unusable check programs ---------------------------------------------------------
chmod 755 "$E2E_WORK"  # the script user must be able to reach the programs
printf '#!/bin/sh\nexit 0\n' >"$E2E_WORK/open-check"
chmod 777 "$E2E_WORK/open-check"
printf '#!/bin/sh\nexit 0\n' >"$E2E_WORK/plain-check"
chmod 644 "$E2E_WORK/plain-check"
scripts_conf="$E2E_WORK/n1-scripts.toml"
cat "${NODE_CONF[n1]}" - >"$scripts_conf" <<EOF

[[check]]
name = "open"
command = ["$E2E_WORK/open-check"]

[[check]]
name = "plain"
command = ["$E2E_WORK/plain-check"]
EOF
run_doctor scripts "$scripts_conf" --listen 0s
expect 1 "error    check 'open': refusing to run $E2E_WORK/open-check: $E2E_WORK/open-check is writable" \
  "error    check 'plain': $E2E_WORK/plain-check (mode 0644) is not executable" \
  "fix: chmod 755 $E2E_WORK/plain-check"
grep -qF "check 'true'" "$DOCTOR_OUT" && fail "the sound check /bin/true was reported: $(cat "$DOCTOR_OUT")"
log "check scripts: the unsafe and the non-executable one reported, /bin/true not"

# --- systemd-networkd managing eth0, without and with the shipped drop-in ----------------------
# networkd runs in n1's namespace, in a mount namespace of its own with private tmpfs on
# /run/systemd and /etc/systemd/network (nothing of this machine's networkd is read or
# written) and a read-only /sys (so it does not wait for udev, as in a container). Its
# .network file gives eth0 a second address of its own (re-adding the existing one made
# networkd fail now and then with ERANGE); the doctor runs in that mount namespace, before
# and after packaging/network/networkd-floatd.conf is installed.
networkd_step() {
  local dropin="$E2E_DIR/../../packaging/network/networkd-floatd.conf"
  cat >"$E2E_WORK/networkd-step.sh" <<EOF
set -u
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir -p /run/systemd/netif && chown systemd-network: /run/systemd/netif
mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/network
mount -o remount,ro /sys
printf '[Match]\nName=eth0\n[Network]\nAddress=192.0.2.201/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' \
  >/etc/systemd/network/10-eth0.network
timeout 60 /lib/systemd/systemd-networkd >"$E2E_WORK/networkd.log" 2>&1 &
nd=\$!
for i in \$(seq 100); do grep -qs ADMIN_STATE=configured /run/systemd/netif/links/*; s=\$?; ((s == 0)) && break; sleep 0.05; done
grep -qs ADMIN_STATE=configured /run/systemd/netif/links/* || { echo "networkd did not configure eth0" >>"$E2E_WORK/networkd.log"; exit 3; }
rc=0; timeout 30 "$FLOATD" doctor -c "${NODE_CONF[n1]}" --listen 0s >"$E2E_WORK/doctor-networkd.out" 2>&1 || rc=\$?
echo \$rc >"$E2E_WORK/doctor-networkd.rc"
mkdir /etc/systemd/network/10-eth0.network.d
cp "$dropin" /etc/systemd/network/10-eth0.network.d/floatd.conf
rc=0; timeout 30 "$FLOATD" doctor -c "${NODE_CONF[n1]}" --listen 0s >"$E2E_WORK/doctor-networkd-kept.out" 2>&1 || rc=\$?
echo \$rc >"$E2E_WORK/doctor-networkd-kept.rc"
kill \$nd; wait \$nd
exit 0
EOF
  local rc=0
  timeout 90 ip netns exec "$NS1" unshare -m --propagation private bash "$E2E_WORK/networkd-step.sh" ||
    rc=$?
  ((rc == 0)) || fail "the networkd step failed ($rc): $(cat "$E2E_WORK/networkd.log" 2>/dev/null)"
  DOCTOR_OUT="$E2E_WORK/doctor-networkd.out"
  DOCTOR_RC=$(cat "$E2E_WORK/doctor-networkd.rc")
  expect 1 "warning  systemd-networkd: manages eth0 (/etc/systemd/network/10-eth0.network) without KeepConfiguration=static" \
    "/etc/systemd/network/10-eth0.network.d/floatd.conf"
  DOCTOR_OUT="$E2E_WORK/doctor-networkd-kept.out"
  DOCTOR_RC=$(cat "$E2E_WORK/doctor-networkd-kept.rc")
  expect 0 "no problems found"
}
if [[ -x /lib/systemd/systemd-networkd ]] && getent passwd systemd-network >/dev/null; then
  networkd_step
  log "systemd-networkd: reported without KeepConfiguration=static, quiet with the shipped drop-in"
else
  log "SKIP systemd-networkd step: systemd-networkd is not installed"
fi

# --- another router on our VRID with other VIPs ------------------------------------------------
node_stop n2
node_start n3
wait_until 3 n3_holds_its_vip || fail "n3 did not become MASTER of $OTHER_VIP"
run_doctor foreign
expect 1 "error    instance 'web': another VRRP router, 192.0.2.3, advertises vrid $VRID on eth0 with VIPs $OTHER_VIP (priority 200)"
log "foreign router on vrid $VRID: reported"

pass "doctor: healthy exit 0; down, rp_filter, firewall, check scripts, networkd and a foreign router reported"

#!/usr/bin/env bash
# floatd --log-target journal against a private systemd-journald (its own mount namespace,
# lib.sh journald_start): a 2-node pair elects n1, n1's link is cut (n1 FAULT, n2 MASTER),
# restored (n1 preempts back, n2 BACKUP), then both stop gracefully. Read back with
# journalctl -o json (nodes told apart by _PID; both instances are "web"), asserts:
# - every state change is one entry with MESSAGE_ID, FLOATD_INSTANCE, FLOATD_VRID,
#   FLOATD_FROM, FLOATD_TO, FLOATD_PRIORITY, FLOATD_REASON, SYSLOG_IDENTIFIER=floatd and a
#   PRIORITY, matching its MESSAGE; per node the entries are exactly the daemon's own
#   `floatctl history` (no duplicate, none missing, FROM of each = TO of the one before,
#   from INIT) followed by one shutdown entry (-> INIT);
# - `journalctl FLOATD_INSTANCE=web`, `MESSAGE_ID=...` (also with FLOATD_TO=MASTER) and
#   `-t floatd` find them;
# - ordinary log lines are there too (SYSLOG_IDENTIFIER=floatd, a PRIORITY, no state
#   change among them), and nothing at all on floatd's stderr in journal mode.
# The journal's own timestamps give the takeover time (n1 -> FAULT to n2 -> MASTER).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if missing=$(journald_missing) && [[ -n "$missing" ]]; then
  echo "[journal] SKIP: no private journald possible here: $missing" >&2
  exit 77
fi
e2e_init journal "$@"
readonly MSGID=d3994b6cf7024e9eaf42a47a73250c42
floatctl_init

add_node n1 192.0.2.1
add_node n2 192.0.2.2
journald_start # after every namespace (ip netns exec needs /run/netns/* in its mount namespace)
node_config n1 150
node_config n2 100
journal_node_start n1
journal_node_start n2
pid1=${NODE_PID[n1]} pid2=${NODE_PID[n2]}
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
sleep 1

log "cutting n1's link"
link_down n1
wait_until 3 holders_are n2 || fail "n2 did not take over alone within 3 s, holders: '$(vip_holders)'"
sleep 0.5
log "restoring n1's link"
link_up n1
wait_until 3 holders_are n1 || fail "n1 did not preempt back within 3 s, holders: '$(vip_holders)'"
sleep 1

# The daemons' own account of their transitions, then a graceful stop (one more each).
ctl n1 history --json >"$E2E_WORK/n1.history.json" || fail "floatctl history on n1 failed"
ctl n2 history --json >"$E2E_WORK/n2.history.json" || fail "floatctl history on n2 failed"
node_stop n2 5
node_stop n1 5
[[ "${NODE_EXIT[n1]} ${NODE_EXIT[n2]}" == "0 0" ]] || fail "exit status n1=${NODE_EXIT[n1]} n2=${NODE_EXIT[n2]} (want 0 0)"
in_journal_ns timeout 10 journalctl --sync || fail "journalctl --sync failed"

# journald stores asynchronously: wait (bounded) until both shutdown entries are readable.
# shellcheck disable=SC2317 # called by wait_until
_shutdowns_stored() {
  local n
  n=$(journal_json "MESSAGE_ID=$MSGID" FLOATD_TO=INIT | grep -c '"FLOATD_REASON" *: *"shutdown"') || true
  ((n >= 2))
}
wait_until 5 _shutdowns_stored || fail "the journal does not hold both shutdown entries within 5 s"

journal_json >"$E2E_WORK/all.json" || fail "journalctl -o json failed"
journal_json FLOATD_INSTANCE=web >"$E2E_WORK/by_instance.json" || fail "journalctl FLOATD_INSTANCE=web failed"
journal_json "MESSAGE_ID=$MSGID" >"$E2E_WORK/by_msgid.json" || fail "journalctl MESSAGE_ID=$MSGID failed"
journal_json "MESSAGE_ID=$MSGID" FLOATD_TO=MASTER >"$E2E_WORK/to_master.json" || fail "journalctl MESSAGE_ID= FLOATD_TO=MASTER failed"
journal_json -t floatd >"$E2E_WORK/by_ident.json" || fail "journalctl -t floatd failed"

# No duplicate on stderr: in journal mode floatd writes nothing there.
for n in n1 n2; do
  if grep -v '^=== start' "${NODE_LOG[$n]}" | grep -q .; then
    fail "$n wrote to stderr in journal mode: $(head -n 3 "${NODE_LOG[$n]}")"
  fi
done

checks=$(/usr/bin/python3 - "$E2E_WORK" "$MSGID" "n1:$pid1" "n2:$pid2" <<'PYEOF'
import json, re, sys

work, msgid = sys.argv[1], sys.argv[2]
nodes = dict(a.split(":") for a in sys.argv[3:])          # name -> pid (string)
states = {"INIT", "BACKUP", "MASTER", "FAULT"}
fields = ["MESSAGE_ID", "FLOATD_INSTANCE", "FLOATD_VRID", "FLOATD_FROM", "FLOATD_TO",
          "FLOATD_PRIORITY", "FLOATD_REASON", "SYSLOG_IDENTIFIER", "PRIORITY", "MESSAGE"]
errors = []
def err(msg): errors.append(msg)

def load(name):
    out = []
    with open(f"{work}/{name}") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out

def text(e, k):
    v = e.get(k)
    return v if isinstance(v, str) else None   # journalctl gives binary fields as arrays

entries = load("all.json")
ours = {pid: [e for e in entries if e.get("_PID") == pid] for pid in nodes.values()}
summary = []
changes_by_pid = {}
for name, pid in nodes.items():
    mine = ours[pid]
    if not mine:
        err(f"{name}: no journal entry with _PID={pid}")
        continue
    for e in mine:
        if text(e, "SYSLOG_IDENTIFIER") != "floatd":
            err(f"{name}: entry without SYSLOG_IDENTIFIER=floatd: {e.get('MESSAGE')!r} ({e.get('SYSLOG_IDENTIFIER')!r})")
        if not re.fullmatch(r"[0-7]", text(e, "PRIORITY") or ""):
            err(f"{name}: entry without a valid PRIORITY: {e.get('MESSAGE')!r} ({e.get('PRIORITY')!r})")
    changes = [e for e in mine if e.get("MESSAGE_ID") == msgid]
    ordinary = [e for e in mine if "MESSAGE_ID" not in e]
    changes_by_pid[pid] = changes
    for e in changes:
        missing = [k for k in fields if not text(e, k)]
        if missing:
            err(f"{name}: state change {e.get('MESSAGE')!r} lacks {missing}")
            continue
        frm, to = e["FLOATD_FROM"], e["FLOATD_TO"]
        if e["FLOATD_INSTANCE"] != "web": err(f"{name}: FLOATD_INSTANCE={e['FLOATD_INSTANCE']!r}")
        if e["FLOATD_VRID"] != "51": err(f"{name}: FLOATD_VRID={e['FLOATD_VRID']!r}")
        if frm not in states or to not in states or frm == to: err(f"{name}: FROM/TO {frm!r} -> {to!r}")
        if not (e["FLOATD_PRIORITY"].isdigit() and 0 <= int(e["FLOATD_PRIORITY"]) <= 255):
            err(f"{name}: FLOATD_PRIORITY={e['FLOATD_PRIORITY']!r}")
        if e["PRIORITY"] not in ("4", "5", "6"):
            err(f"{name}: state change {frm}->{to} has PRIORITY {e['PRIORITY']} (want notice/warning)")
        if f"{frm} -> {to}" not in e["MESSAGE"] or e["FLOATD_REASON"] not in e["MESSAGE"]:
            err(f"{name}: MESSAGE {e['MESSAGE']!r} does not say {frm} -> {to} / its reason")
    # The peer that caused a change is named where there is one, as floatctl history has it.
    peers = [e.get("FLOATD_PEER") for e in changes]
    seq = [(e.get("FLOATD_FROM"), e.get("FLOATD_TO"), e.get("FLOATD_REASON")) for e in changes]
    # The daemon's history (taken before the stop) + exactly one shutdown entry.
    hist = json.load(open(f"{work}/{name}.history.json"))["history"]
    hseq = [(h["from"], h["to"], h["reason"]) for h in hist]
    if peers[:len(hist)] != [h["peer"] for h in hist]:
        err(f"{name}: FLOATD_PEER {peers} differs from floatctl history's peers")
    if not any(p for p in peers):
        err(f"{name}: no state change names the peer that caused it (FLOATD_PEER)")
    if seq[:len(hseq)] != hseq:
        err(f"{name}: journal state changes differ from floatctl history:\n  journal: {seq}\n  history: {hseq}")
    tail = seq[len(hseq):]
    if len(tail) != 1 or tail[0][1] != "INIT" or tail[0][2] != "shutdown":
        err(f"{name}: after the history, want exactly one '-> INIT (shutdown)' entry, got {tail}")
    if seq and seq[0][0] != "INIT": err(f"{name}: first state change is from {seq[0][0]}, not INIT")
    for a, b in zip(seq, seq[1:]):
        if a[1] != b[0]: err(f"{name}: {a[0]}->{a[1]} followed by {b[0]}->{b[1]} (duplicate or lost entry)")
    pairs = [(f, t) for f, t, _ in seq]
    want = {"n1": [("BACKUP", "MASTER"), ("MASTER", "FAULT"), ("FAULT", "BACKUP")],
            "n2": [("BACKUP", "MASTER"), ("MASTER", "BACKUP")]}[name]
    for w in want:
        if w not in pairs: err(f"{name}: no {w[0]} -> {w[1]} entry in {pairs}")
    if not ordinary:
        err(f"{name}: no ordinary (non-state-change) log line in the journal")
    for e in ordinary:
        m = text(e, "MESSAGE") or ""
        if re.search(r"\b(INIT|BACKUP|MASTER|FAULT) -> (INIT|BACKUP|MASTER|FAULT)\b", m):
            err(f"{name}: a state change also logged as an ordinary line: {m!r}")
    if name == "n1" and not any("eth0" in (text(e, "MESSAGE") or "") and "down" in (text(e, "MESSAGE") or "") for e in ordinary):
        err("n1: no ordinary line about eth0 going down")
    summary.append(f"{name}: {len(changes)} state changes, {len(ordinary)} other lines")

all_changes = [e for pid in nodes.values() for e in changes_by_pid.get(pid, [])]
cursors = {e["__CURSOR"] for e in all_changes}
def cur(name): return {e["__CURSOR"] for e in load(name)}
if not cursors <= cur("by_instance.json"): err("journalctl FLOATD_INSTANCE=web misses state changes")
if cur("by_msgid.json") != cursors: err("journalctl MESSAGE_ID=... is not exactly the state-change entries")
to_master = [e for e in load("to_master.json")]
counts = {n: sum(1 for e in to_master if e.get("_PID") == p) for n, p in nodes.items()}
if counts != {"n1": 2, "n2": 1}: err(f"journalctl MESSAGE_ID= FLOATD_TO=MASTER per node: {counts} (want n1 2, n2 1)")
if not {e["__CURSOR"] for pid in nodes.values() for e in ours[pid]} <= cur("by_ident.json"):
    err("journalctl -t floatd misses floatd entries")

# takeover seen by the journal: n1 -> FAULT until n2 -> MASTER
def ts(e): return int(e.get("_SOURCE_REALTIME_TIMESTAMP") or e["__REALTIME_TIMESTAMP"])
fault = [ts(e) for e in changes_by_pid.get(nodes["n1"], []) if e.get("FLOATD_TO") == "FAULT"]
master2 = [ts(e) for e in changes_by_pid.get(nodes["n2"], []) if e.get("FLOATD_TO") == "MASTER"]
if fault and master2:
    summary.append(f"takeover_ms={(master2[0] - fault[0]) // 1000}")
for e in errors: print("ERROR " + e)
print("; ".join(summary))
sys.exit(1 if errors else 0)
PYEOF
) || fail "journal checks failed:
$checks"
log "$checks"
takeover=$(grep -o 'takeover_ms=[0-9-]*' <<<"$checks" | cut -d= -f2)
[[ -n "$takeover" ]] || fail "no takeover time from the journal"
result journal_takeover_ms "$takeover"
pass "journal: state changes with all fields, found by FLOATD_INSTANCE and MESSAGE_ID, equal to floatctl history, no duplicates; ordinary lines present"

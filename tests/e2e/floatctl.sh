#!/usr/bin/env bash
# floatctl against a running pair (n1 150, n2 100, 100 ms adverts; each node with its own
# state_dir) while a client pings the VIP every 5 ms. Asserts:
# - against a missing socket: exit 1, "is floatd running?";
# - status --json on both: the contract fields, exactly one MASTER (n1), n2 names n1 as
#   its master; peers --json on n2 lists 192.0.2.1 with priority 150; metrics on both
#   parse as Prometheus text (every sample after its # HELP and # TYPE) and agree;
# - maintenance on (n1): the VIP moves to n2 with an outage < E2E_MAX_OUTAGE_MS (300 ms)
#   and stays away for 2 s despite n1's higher priority; floatd restarted, n1 still stays
#   out (the flag is kept in its state_dir), and the restart costs the client nothing;
#   maintenance off: n1 preempts back (outage < 300 ms);
# - resign web on n1 (MASTER): n2 takes over, outage < 300 ms, and n1 does not preempt
#   back; resign on a BACKUP or of an unknown instance: exit 1;
# - floatctl watch on n2 (whole run) prints exactly n2's state changes as JSON events;
#   on n1 (until its restart) the maintenance handover, and it ends (exit 0) with floatd.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
e2e_init floatctl "$@"
max_outage=${E2E_MAX_OUTAGE_MS:-300}
floatctl_init

# Checks on floatctl's output (python3: json and the Prometheus text format).
read -r -d '' CHECK <<'PYEOF' || true
import json, math, re, sys

STATES = {"INIT", "BACKUP", "MASTER", "FAULT"}
errors = []
def err(m): errors.append(m)

def status(args):
    # status NAME=FILE:PRIORITY:ADDR... MASTER MAINTENANCE(n1=0,n2=0)
    *specs, want_master, maint = args
    maint = dict(kv.split("=") for kv in maint.split(","))
    nodes = {}
    for spec in specs:
        name, rest = spec.split("=", 1)
        path, prio, addr = rest.split(":")
        try:
            doc = json.load(open(path))
        except ValueError as e:
            err(f"{name}: status --json is not JSON: {e}"); continue
        if not isinstance(doc, dict) or not isinstance(doc.get("instances"), list) or len(doc["instances"]) != 1:
            err(f"{name}: want {{\"instances\": [one]}}: {doc!r}"); continue
        if doc.get("maintenance") is not (maint[name] == "1"):
            err(f"{name}: maintenance={doc.get('maintenance')!r}, want {maint[name] == '1'}")
        i = doc["instances"][0]
        want = {"name": "web", "vrid": 51, "priority": int(prio), "vips": ["192.0.2.100/24"], "interface": "eth0"}
        for k, v in want.items():
            if i.get(k) != v: err(f"{name}: {k}={i.get(k)!r}, want {v!r}")
        if i.get("state") not in STATES: err(f"{name}: state={i.get('state')!r}")
        if not isinstance(i.get("effective_priority"), int) or not 0 <= i["effective_priority"] <= 255:
            err(f"{name}: effective_priority={i.get('effective_priority')!r}")
        for k in ("since", "reason"):
            if not isinstance(i.get(k), str) or not i[k]: err(f"{name}: {k}={i.get(k)!r}")
        nodes[name] = (i, int(prio), addr)
    masters = [n for n, (i, _, _) in nodes.items() if i.get("state") == "MASTER"]
    if masters != [want_master]: err(f"MASTER(s): {masters}, want exactly [{want_master}]")
    for n, (i, _, _) in nodes.items():
        if n == want_master or want_master not in nodes: continue
        if i.get("state") != "BACKUP": err(f"{n}: state {i.get('state')}, want BACKUP")
        _, mprio, maddr = nodes[want_master]
        m = i.get("master")
        if not isinstance(m, dict) or m.get("address") != maddr or m.get("priority") != mprio:
            err(f"{n}: master={m!r}, want {{address: {maddr}, priority: {mprio}}}")
    if want_master in nodes and nodes[want_master][0].get("master") is not None:
        err(f"{want_master}: MASTER shows a master: {nodes[want_master][0].get('master')!r}")

def peers(args):
    path, addr, prio = args
    try:
        doc = json.load(open(path))
    except ValueError as e:
        return err(f"peers --json is not JSON: {e}")
    ps = doc.get("peers") if isinstance(doc, dict) else None
    if not isinstance(ps, list): return err(f"want {{\"peers\": [...]}}: {doc!r}")
    hit = [p for p in ps if isinstance(p, dict) and p.get("address") == addr]
    if len(hit) != 1: return err(f"want one peer {addr}: {ps!r}")
    p = hit[0]
    for k, v in {"vrid": 51, "priority": int(prio), "interface": "eth0", "interval_ms": 100, "version": 3}.items():
        if p.get(k) != v: err(f"peer {addr}: {k}={p.get(k)!r}, want {v!r}")
    if not isinstance(p.get("adverts"), int) or p["adverts"] < 5: err(f"peer {addr}: adverts={p.get('adverts')!r}")
    if not p.get("last_seen"): err(f"peer {addr}: no last_seen")

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*,?)?\}})? (\S+)(?: (-?\d+))?")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}

def prometheus(text, who):
    """Prometheus text exposition format 0.0.4; returns {(name, labels): value}."""
    samples, help_, type_, done, current = {}, {}, {}, set(), None
    lines = text.split("\n")
    if lines[-1]:
        err(f"{who}: metrics text does not end with a newline")
    else:
        lines.pop()
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            m = re.fullmatch(rf"# (HELP|TYPE) ({NAME}) ?(.*)", line)
            if not m: continue  # other comments are allowed
            kind, name, rest = m.groups()
            table = help_ if kind == "HELP" else type_
            if name in table: err(f"{who}:{n}: second # {kind} for {name}")
            if kind == "TYPE" and rest not in TYPES: err(f"{who}:{n}: bad type {rest!r}")
            if kind == "TYPE" and name in {s[0] for s in samples}: err(f"{who}:{n}: # TYPE {name} after its samples")
            table[name] = rest
            continue
        if not line.strip():
            continue
        m = SAMPLE.fullmatch(line)
        if not m:
            err(f"{who}:{n}: not 'name{{labels}} value': {line!r}"); continue
        name, labels, value, _ = m.groups()
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and type_.get(name[: -len(suffix)]) in ("histogram", "summary"):
                family = name[: -len(suffix)]
        if family not in help_ or family not in type_:
            err(f"{who}:{n}: {name} without # HELP and # TYPE before it")
        if family != current:
            if family in done: err(f"{who}:{n}: samples of {family} are not together")
            if current: done.add(current)
            current = family
        try:
            v = float(value)
        except ValueError:
            err(f"{who}:{n}: value {value!r} is not a number"); continue
        if math.isnan(v) and value != "NaN": err(f"{who}:{n}: value {value!r}")
        lab = tuple(sorted(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels or "")))
        if len({k for k, _ in lab}) != len(lab): err(f"{who}:{n}: a label twice: {line!r}")
        if (name, lab) in samples: err(f"{who}:{n}: duplicate series {line!r}")
        samples[(name, lab)] = v
        if type_.get(family) == "counter" and v < 0: err(f"{who}:{n}: negative counter {line!r}")
    try:  # a second opinion where the Debian package python3-prometheus-client is installed
        from prometheus_client.parser import text_string_to_metric_families
        list(text_string_to_metric_families(text))
    except ImportError:
        pass
    except Exception as e:
        err(f"{who}: prometheus_client cannot parse the metrics: {e}")
    return samples

def metrics(args):
    # metrics NAME=FILE:STATE ...: valid text, and the values agree with the states.
    for spec in args:
        name, rest = spec.split("=", 1)
        path, state = rest.split(":")
        s = prometheus(open(path).read(), name)
        inst = (("instance", "web"), ("vrid", "51"))
        def val(metric, *extra):
            return s.get((metric, tuple(sorted(inst + extra))))
        for st in sorted(STATES):
            v = val("floatd_instance_state", ("state", st))
            if v != (1 if st == state else 0): err(f"{name}: floatd_instance_state{{state={st}}} = {v}")
        for metric in ("floatd_instance_priority", "floatd_instance_effective_priority",
                       "floatd_adverts_sent_total", "floatd_adverts_received_total",
                       "floatd_transitions_total", "floatd_master_transitions_total"):
            if val(metric) is None: err(f"{name}: no {metric} for web")
        if state == "MASTER" and not (val("floatd_adverts_sent_total") or 0) > 5:
            err(f"{name}: MASTER but floatd_adverts_sent_total = {val('floatd_adverts_sent_total')}")
        if state == "BACKUP" and not (val("floatd_adverts_received_total") or 0) > 5:
            err(f"{name}: BACKUP but floatd_adverts_received_total = {val('floatd_adverts_received_total')}")
        if not (val("floatd_transitions_total") or 0) >= 1: err(f"{name}: floatd_transitions_total = 0")
        if not any(k[0] == "floatd_adverts_dropped_total" for k in s): err(f"{name}: no floatd_adverts_dropped_total")
        print(f"{name}: {len(s)} samples")

def watch(args):
    # watch FILE FROM>TO[~reason-substring] ...: exactly these state changes, in order.
    path, *want = args
    events = []
    for n, line in enumerate(open(path), 1):
        try:
            e = json.loads(line)
        except ValueError:
            err(f"watch:{n}: not JSON: {line!r}"); continue
        keys = {"event", "at", "instance", "vrid", "from", "to", "priority", "reason"}
        if not isinstance(e, dict) or not keys <= e.keys():
            err(f"watch:{n}: want the keys {sorted(keys)}: {line!r}"); continue
        if e["event"] != "state_change" or e["instance"] != "web" or e["vrid"] != 51:
            err(f"watch:{n}: {line!r}")
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", e["at"]): err(f"watch:{n}: at={e['at']!r}")
        events.append(e)
    got = [f"{e['from']}>{e['to']}" for e in events]
    if got != [w.split("~")[0] for w in want]:
        err(f"watch {path}: events {got}, want {[w.split('~')[0] for w in want]}")
    else:
        for e, w in zip(events, want):
            if "~" in w and w.split("~")[1].lower() not in e["reason"].lower():
                err(f"watch: {e['from']}>{e['to']} reason {e['reason']!r} does not mention {w.split('~')[1]!r}")
    print(" ".join(got))

{"status": status, "peers": peers, "metrics": metrics, "watch": watch}[sys.argv[1]](sys.argv[2:])
for e in errors: print("ERROR " + e)
sys.exit(1 if errors else 0)
PYEOF
check() { # check WHAT MODE ARGS...: run a check of $CHECK; fail with its errors
  local what=$1 out
  shift
  out=$(/usr/bin/python3 -c "$CHECK" "$@" 2>&1) || fail "$what:
$out"
  CHECK_OUT=$out
  vlog "$what: $out"
}

status_ok() { # status_ok MASTER MAINT_N1 MAINT_N2: both status --json and check them
  ctl n1 status --json >"$E2E_WORK/n1.status.json" || fail "floatctl status --json on n1 failed"
  ctl n2 status --json >"$E2E_WORK/n2.status.json" || fail "floatctl status --json on n2 failed"
  check "status --json (want MASTER $1)" status "n1=$E2E_WORK/n1.status.json:150:192.0.2.1" \
    "n2=$E2E_WORK/n2.status.json:100:192.0.2.2" "$1" "n1=$2,n2=$3"
}

# outage_ok KEY: stop the probe, the client's outage must stay below max_outage; result KEY.
outage_ok() {
  probe_stop
  ((PROBE_RECEIVED > 0)) || fail "the client never got a reply"
  lt "$PROBE_MAX_GAP_MS" "$max_outage" || fail "$1: outage ${PROBE_MAX_GAP_MS} ms >= ${max_outage} ms"
  lt "$PROBE_TAIL_GAP_MS" 200 || fail "$1: the client stopped getting replies ${PROBE_TAIL_GAP_MS} ms before the end"
  result "$1" "$PROBE_MAX_GAP_MS"
}

WATCH_PIDS=()
# watch_start NAME: floatctl watch on the node in the background (bounded by timeout), its
# output in $E2E_WORK/NAME.watch; WATCH_PID is timeout's PID.
watch_start() {
  timeout "${E2E_DEADLINE:-100}" "$FLOATCTL" -s "$E2E_WORK/$1.sock" watch >"$E2E_WORK/$1.watch" 2>"$E2E_WORK/$1.watch.err" &
  WATCH_PID=$!
  WATCH_PIDS+=("$WATCH_PID")
  # The subscription is set up by the time floatd has answered another request.
  sleep 0.2
  ctl "$1" status >/dev/null || fail "floatctl status on $1 failed"
  _any_alive "$WATCH_PID" || fail "floatctl watch on $1 ended at once: $(cat "$E2E_WORK/$1.watch.err")"
}
# watch_forget PID: a reaped watcher (its PID may be reused: never signal it again)
watch_forget() {
  local p keep=()
  for p in "${WATCH_PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  WATCH_PIDS=("${keep[@]}")
}
# shellcheck disable=SC2317 # called indirectly (wait_until, trap)
_watchers_gone() { ! _any_alive "${WATCH_PIDS[@]}"; }
# The watchers are no namespace's processes: stop them before the harness's cleanup.
# shellcheck disable=SC2317
_watch_exit() {
  local rc=$?
  set +e
  if ((${#WATCH_PIDS[@]})); then
    kill -TERM "${WATCH_PIDS[@]}" 2>/dev/null
    wait_until 2 _watchers_gone
  fi
  (exit "$rc")
  _e2e_cleanup
}
trap _watch_exit EXIT

add_node n1 192.0.2.1
add_node n2 192.0.2.2
add_client
node_config n1 150
node_config n2 100

# No daemon yet: a clear error, exit 1.
rc=0
out=$(timeout 10 "$FLOATCTL" -s "$E2E_WORK/n1.sock" status 2>&1) || rc=$?
((rc == 1)) || fail "floatctl against a missing socket: exit $rc, want 1 ($out)"
[[ "$out" == *"is floatd running?"* ]] || fail "floatctl against a missing socket says '$out' (want 'is floatd running?')"
log "no socket: exit 1, '$out'"

node_start n1
node_start n2
wait_until 3 holders_are n1 || fail "n1 did not become the only holder, holders: '$(vip_holders)'"
sleep 1

status_ok n1 0 0
ctl n2 peers --json >"$E2E_WORK/n2.peers.json" || fail "floatctl peers --json on n2 failed"
check "peers --json on n2" peers "$E2E_WORK/n2.peers.json" 192.0.2.1 150
ctl n1 metrics >"$E2E_WORK/n1.metrics" || fail "floatctl metrics on n1 failed"
ctl n2 metrics >"$E2E_WORK/n2.metrics" || fail "floatctl metrics on n2 failed"
check "metrics" metrics "n1=$E2E_WORK/n1.metrics:MASTER" "n2=$E2E_WORK/n2.metrics:BACKUP"
log "status, peers and metrics OK on both nodes"

rc=0
out=$(ctl n2 resign web 2>&1) || rc=$?
((rc == 1)) || fail "floatctl resign web on the BACKUP: exit $rc, want 1 ($out)"
rc=0
out=$(ctl n1 resign nosuch 2>&1) || rc=$?
((rc == 1)) || fail "floatctl resign of an unknown instance: exit $rc, want 1 ($out)"
holders_are n1 || fail "refused resigns moved the VIP, holders: '$(vip_holders)'"

watch_start n2
watch_n2=$WATCH_PID
watch_start n1
watch_n1=$WATCH_PID

# ---- maintenance on: handover, and n1 stays out despite its higher priority
probe_start 30
sleep 0.5
log "floatctl maintenance on (n1)"
ctl n1 maintenance on >/dev/null || fail "floatctl maintenance on failed"
wait_until 3 holders_are n2 || fail "maintenance on: n2 did not take over alone, holders: '$(vip_holders)'"
[[ -e "$E2E_WORK/n1.state/maintenance" ]] || fail "maintenance on: no flag in n1's state_dir"
hold_for 2 holders_are n2 || fail "maintenance on: the VIP came back while n1 is in maintenance"
outage_ok maintenance_on_outage_ms
status_ok n2 1 0

log "restarting n1's floatd (in maintenance)"
probe_start 30
node_stop n1 5
[[ "${NODE_EXIT[n1]}" == 0 ]] || fail "n1 exited with status ${NODE_EXIT[n1]} (want 0)"
wait_until 3 _not_alive "$watch_n1" || fail "floatctl watch on n1 did not end when n1's floatd stopped"
rc=0
wait "$watch_n1" || rc=$?
watch_forget "$watch_n1"
((rc == 0)) || fail "floatctl watch on n1 exited $rc when floatd stopped (want 0): $(cat "$E2E_WORK/n1.watch.err")"
check "watch on n1" watch "$E2E_WORK/n1.watch" "MASTER>BACKUP~maintenance" "BACKUP>INIT~shutdown"
node_start n1
wait_until 3 ctl n1 status >/dev/null 2>&1 || fail "restarted n1 does not answer"
hold_for 2.5 holders_are n2 || fail "restarted n1 did not stay out of MASTER (maintenance flag lost?)"
status_ok n2 1 0
outage_ok restart_in_maintenance_outage_ms

# ---- maintenance off: n1 preempts back
probe_start 30
sleep 0.5
log "floatctl maintenance off (n1)"
ctl n1 maintenance off >/dev/null || fail "floatctl maintenance off failed"
wait_until 3 holders_are n1 || fail "maintenance off: n1 did not preempt back, holders: '$(vip_holders)'"
[[ ! -e "$E2E_WORK/n1.state/maintenance" ]] || fail "maintenance off: the flag is still in n1's state_dir"
sleep 1
outage_ok maintenance_off_outage_ms
status_ok n1 0 0

# ---- resign: one-time handover, no preemption back
probe_start 30
sleep 0.5
log "floatctl resign web (n1)"
ctl n1 resign web >/dev/null || fail "floatctl resign web on the MASTER failed"
wait_until 3 holders_are n2 || fail "resign: n2 did not take over alone, holders: '$(vip_holders)'"
hold_for 1.5 holders_are n2 || fail "resign: n1 took the VIP back (it must not preempt after a resign)"
outage_ok resign_outage_ms
status_ok n2 0 0

# n2's watch saw exactly its own changes since it started.
sleep 0.2
_any_alive "$watch_n2" || fail "floatctl watch on n2 ended early: $(cat "$E2E_WORK/n2.watch.err")"
check "watch on n2" watch "$E2E_WORK/n2.watch" "BACKUP>MASTER" "MASTER>BACKUP" "BACKUP>MASTER~resign"
log "watch on n2: $CHECK_OUT"
pass "floatctl: status/peers/metrics/watch; maintenance on/off (kept across a restart) and resign moved the VIP within ${max_outage} ms"

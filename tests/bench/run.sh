#!/usr/bin/env bash
# tests/bench/run.sh: floatd and Debian's keepalived side by side on one namespace testbed,
# in one run, trials alternating between the two; medians and ratios (floatd/keepalived)
# into a markdown table, the raw data into CSV, and a chart of the outage distributions.
# Run as root from anywhere; see tests/bench/README.md.
#
# usage: tests/bench/run.sh [--quick] [--out DIR] [--trials N] [--floatd PATH]
#                           [--vip-probe PATH] [--no-build] [--update-readme] [BENCH...]
#   BENCH          outage idle takeover stability check_demotion (default: all five)
#   --quick        a few trials, short windows (CI smoke: about 4 minutes after the build)
#   --out DIR      results directory (default: tests/bench/results for a full run of all
#                  five benchmarks, else /tmp/floatd-bench-<date>)
#   --trials N     trials per case and agent (overrides the defaults of every benchmark)
#   --floatd PATH, --vip-probe PATH   use these binaries (default: build them into
#                  build-bench/ with cmake, RelWithDebInfo)
#   --no-build     use build-bench/ as it is
#   --update-readme  copy the results table into tests/bench/README.md
# Environment: BENCH_* variables of the benchmark scripts override the presets (e.g.
# BENCH_WINDOW_S=30 for the idle window).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
ALL_BENCHES=(outage idle takeover stability check_demotion)
PY=/usr/bin/python3 # Debian's python3 (python3-matplotlib), not a pyenv shim

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

quick=0 out="" trials="" floatd="" probe="" build=1 update_readme=0
benches=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --trials) trials=${2:?--trials needs a number}; shift ;;
    --floatd) floatd=${2:?}; build=0; shift ;;
    --vip-probe) probe=${2:?}; shift ;;
    --no-build) build=0 ;;
    --update-readme) update_readme=1 ;;
    -h | --help) usage 0 ;;
    outage | idle | takeover | stability | check_demotion) benches+=("$1") ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
  shift
done
((${#benches[@]})) || benches=("${ALL_BENCHES[@]}")
[[ -z "$trials" || "$trials" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --trials wants a positive number" >&2; exit 2; }
if ((EUID != 0)); then
  echo "run.sh: needs root (network namespaces, raw sockets, apt-get)" >&2
  exit 1
fi

# ---------------------------------------------------------------- presets
# quick: ~4 minutes in all; full: ~27-33 minutes (plus the build), on 2 busy cores.
# check_demotion: the 1 s check interval for both agents (keepalived's shortest), and in the
# full run 200 ms for floatd alone.
if ((quick)); then
  : "${BENCH_OUTAGE_TRIALS:=2}" "${BENCH_IDLE_TRIALS:=1}" "${BENCH_WINDOW_S:=3}"
  : "${BENCH_TAKEOVER_TRIALS:=1}" "${BENCH_STAB_TRIALS:=1}" "${BENCH_STAB_WINDOW_S:=10}"
  : "${BENCH_DEMOTION_TRIALS:=2}" "${BENCH_CHECK_INTERVALS:=1000}"
else
  : "${BENCH_OUTAGE_TRIALS:=12}" "${BENCH_IDLE_TRIALS:=3}" "${BENCH_WINDOW_S:=15}"
  : "${BENCH_TAKEOVER_TRIALS:=5}" "${BENCH_STAB_TRIALS:=1}" "${BENCH_STAB_WINDOW_S:=180}"
  : "${BENCH_DEMOTION_TRIALS:=10}" "${BENCH_CHECK_INTERVALS:=1000 200}"
fi
if [[ -n "$trials" ]]; then
  BENCH_OUTAGE_TRIALS=$trials BENCH_IDLE_TRIALS=$trials BENCH_TAKEOVER_TRIALS=$trials BENCH_STAB_TRIALS=$trials
  BENCH_DEMOTION_TRIALS=$trials
fi
export BENCH_WINDOW_S BENCH_STAB_WINDOW_S BENCH_CHECK_INTERVALS

if [[ -z "$out" ]]; then
  if ((!quick)) && [[ "${benches[*]}" == "${ALL_BENCHES[*]}" ]]; then
    out="$BENCH_DIR/results"
  else
    out="/tmp/floatd-bench-$(date +%Y%m%d-%H%M%S)"
  fi
fi

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*"; }
T_START=$(date +%s)

# ---------------------------------------------------------------- dependencies
# keepalived (the reference), tcpdump (announcements), ping, ps, taskset, matplotlib (chart).
pkgs=(keepalived tcpdump iproute2 iputils-ping procps util-linux python3-matplotlib)
if ((build)) && [[ -z "$floatd" ]]; then
  pkgs+=(cmake make g++ pkg-config libnl-3-dev libnl-route-3-dev libev-dev libtoml11-dev
    libspdlog-dev libfmt-dev libsystemd-dev nlohmann-json3-dev doctest-dev)
fi
"$ROOT/tests/install-deps.sh" "${pkgs[@]}"

# ---------------------------------------------------------------- binaries
BUILD="$ROOT/build-bench"
if ((build)); then
  log "building floatd and vip_probe in $BUILD"
  mkdir -p "$BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DFLOATD_E2E=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/bench-build.log" 2>&1 ||
    { tail -n 30 "$BUILD/bench-build.log"; exit 1; }
  cmake --build "$BUILD" -j"$(nproc)" --target floatd vip_probe >>"$BUILD/bench-build.log" 2>&1 ||
    { tail -n 30 "$BUILD/bench-build.log"; exit 1; }
fi
# addr_watch (the takeover benchmark's netlink watcher): small, no dependencies.
mkdir -p "$BUILD/bench-tools"
ADDR_WATCH="$BUILD/bench-tools/addr_watch"
g++ -std=c++20 -O2 -Wall -o "$ADDR_WATCH" "$BENCH_DIR/tools/addr_watch.cpp"
export ADDR_WATCH
FLOATD=$(realpath "${floatd:-$BUILD/agent/floatd}")
VIP_PROBE=$(realpath "${probe:-$BUILD/tests/e2e/vip_probe}")
for b in "$FLOATD" "$VIP_PROBE"; do
  [[ -x "$b" ]] || { echo "run.sh: $b not found (build it, or --floatd/--vip-probe)" >&2; exit 1; }
done
export FLOATD VIP_PROBE

# ---------------------------------------------------------------- output
mkdir -p "$out/logs"
out=$(realpath "$out")
rm -f "$out"/raw.csv "$out"/results.md "$out"/outage.svg "$out"/logs/*.log
export BENCH_CSV="$out/raw.csv"
echo "bench,case,speaker,trial,metric,value" >"$BENCH_CSV"
{
  echo "cpus: $(nproc)"
  echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "kernel: $(uname -r)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "floatd: $("$FLOATD" --version 2>&1 | head -n1) ($(basename "$(dirname "$(dirname "$FLOATD")")"))"
  echo "keepalived: $(keepalived --version 2>&1 | head -n1)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
log "results go to $out"

# ---------------------------------------------------------------- the benchmarks
# Each benchmark is its own process with its own namespaces (removed by its trap, also on
# failure or Ctrl-C) and its own deadline (E2E_DEADLINE, a generous bound of its duration).
# (A background job of a script ignores SIGINT: Ctrl-C reaches only us, and we pass it on
# as SIGTERM, then give the benchmark's trap up to 20 s to remove its namespaces.)
CHILD=""
on_signal() {
  trap '' INT TERM
  log "interrupted: stopping the running benchmark${CHILD:+ (pid $CHILD)}"
  if [[ -n "$CHILD" ]]; then
    kill -TERM "$CHILD" 2>/dev/null
    local i
    for ((i = 0; i < 200; i++)); do
      kill -0 "$CHILD" 2>/dev/null || break
      sleep 0.1
    done
  fi
  CHILD=""
  exit 130
}
trap on_signal INT TERM
trap '[[ -n "$CHILD" ]] && kill -TERM "$CHILD" 2>/dev/null; true' EXIT

deadline_of() { # BENCH -> seconds
  case "$1" in
    outage) echo $((60 + 4 * 2 * BENCH_OUTAGE_TRIALS * 10)) ;;
    idle) echo $((60 + 3 * 2 * BENCH_IDLE_TRIALS * (BENCH_WINDOW_S + 40))) ;;
    takeover) echo $((60 + 2 * 2 * BENCH_TAKEOVER_TRIALS * 60)) ;;
    stability) echo $((60 + 2 * BENCH_STAB_TRIALS * (BENCH_STAB_WINDOW_S + 40))) ;;
    # 2 variants x (2 agents at 1 s, 1 at 200 ms) trials of ~10 s (bounded waits: < 40 s)
    check_demotion) echo $((60 + 2 * 3 * BENCH_DEMOTION_TRIALS * 40)) ;;
  esac
}
trials_of() {
  case "$1" in
    outage) echo "$BENCH_OUTAGE_TRIALS" ;;
    idle) echo "$BENCH_IDLE_TRIALS" ;;
    takeover) echo "$BENCH_TAKEOVER_TRIALS" ;;
    stability) echo "$BENCH_STAB_TRIALS" ;;
    check_demotion) echo "$BENCH_DEMOTION_TRIALS" ;;
  esac
}

failed=()
summary=()
for b in "${benches[@]}"; do
  t0=$(date +%s)
  log "$b: $(trials_of "$b") trial(s) per case and agent"
  : >"$out/logs/$b.log"
  BENCH_TRIALS=$(trials_of "$b") E2E_DEADLINE=$(deadline_of "$b") E2E_QUIET_INTERRUPT=1 \
    bash "$BENCH_DIR/$b.sh" >"$out/logs/$b.log" 2>&1 &
  CHILD=$!
  # Follow its log until it ends (tail stops by itself once CHILD is gone).
  tail -s 0.2 --pid="$CHILD" -n +1 -f "$out/logs/$b.log" &
  tailer=$!
  rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  wait "$tailer" 2>/dev/null || true
  summary+=("$b $(($(date +%s) - t0)) s")
  if ((rc != 0)); then
    log "$b FAILED (exit $rc): see $out/logs/$b.log"
    failed+=("$b")
  fi
done

T_END=$(date +%s)
{
  echo "mode: $( ((quick)) && echo quick || echo full)"
  echo "benchmarks: ${summary[*]/%/,}" | sed 's/,$//'
  echo "total: $(((T_END - T_START) / 60)) min $(((T_END - T_START) % 60)) s"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/run.txt"

"$PY" "$BENCH_DIR/report.py" "$out"

if ((update_readme)); then
  readme="$BENCH_DIR/README.md"
  rel=$(realpath --relative-to="$BENCH_DIR" "$out")
  # Between the markers: the table, with the chart's path relative to the README.
  "$PY" - "$readme" "$out/results.md" "$rel" <<'EOF'
import sys
readme, results, rel = sys.argv[1:]
text = open(readme).read()
begin, end = "<!-- results:begin -->", "<!-- results:end -->"
if begin not in text or end not in text:
    sys.exit(f"{readme}: markers {begin} / {end} missing")
table = open(results).read().replace("](outage.svg)", f"]({rel}/outage.svg)")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "\n" + table.replace("## Results\n", "", 1).lstrip("\n") + end + tail)
EOF
  log "updated $readme"
fi

log "done in $(((T_END - T_START) / 60)) min $(((T_END - T_START) % 60)) s: $out/results.md, raw.csv, outage.svg, logs/"
if ((${#failed[@]})); then
  log "failed: ${failed[*]}"
  exit 1
fi

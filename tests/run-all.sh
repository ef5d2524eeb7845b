#!/usr/bin/env bash
# The whole floatd test suite, on a Debian 12 machine, as root:
#   1. installs the build and test dependencies (tests/install-deps.sh; fast when present)
#   2. configures and builds build/ (RelWithDebInfo, e2e tests on)
#   3. runs every CTest test: unit tests (in parallel), network-namespace adapter tests,
#      end-to-end failover scenarios (one at a time)
#   4. if tests/fuzz exists: a clang build in build-fuzz/ and each libFuzzer target for
#      FUZZ_SECONDS (default 30) seconds
#   5. checks that no test namespace or daemon was left behind
# Exits non-zero if anything failed. Environment: FUZZ_SECONDS, JOBS (default 2),
# SKIP_FUZZ=1, CTEST_ARGS (extra ctest arguments, e.g. "-L e2e"), BUILD_DIR (default
# build), FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail

if ((EUID != 0)); then
  echo "run-all.sh: must run as root: the suite creates network namespaces, veth links and" >&2
  echo "raw sockets, and installs packages. Run it as root: tests/run-all.sh" >&2
  exit 1
fi

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BUILD_DIR=${BUILD_DIR:-build}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
START=$(date +%s)
failures=()

section() { printf '\n==== %s ====\n' "$*"; }

# Namespaces of our test harnesses are named fde-<scenario>-<pid>-<node> (e2e) and
# fdt-<pid>-<n> (adapter tests); one whose owner process is gone was leaked (e.g. its
# script was SIGKILLed): kill what runs inside and delete it. Prints what it removed.
sweep_stale() {
  local ns owner pids
  for ns in $(ip netns list | awk '{ print $1 }'); do
    if [[ "$ns" =~ ^fde-[a-z_]+-([0-9]+)- || "$ns" =~ ^fdt-([0-9]+)- ]]; then
      owner=${BASH_REMATCH[1]}
      kill -0 "$owner" 2>/dev/null && continue
      pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
      # shellcheck disable=SC2086 # a list of PIDs
      [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
      echo "$ns${pids:+ (killed ${pids% })}"
    fi
  done
}

section "dependencies"
tests/install-deps.sh
stale=$(sweep_stale)
[[ -z "$stale" ]] || printf 'removed test namespaces left by an earlier, killed run:\n%s\n' "$stale" | sed '2,$s/^/  /'

section "build ($BUILD_DIR/)"
configure_log=$(mktemp /tmp/floatd-configure-XXXXXX.log)
cmake -S . -B "$BUILD_DIR" -DFLOATD_E2E=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$configure_log" 2>&1 || {
  cat "$configure_log"
  rm -f "$configure_log"
  echo "run-all.sh: cmake configure failed" >&2
  exit 1
}
rm -f "$configure_log"
if ! cmake --build "$BUILD_DIR" -j"$JOBS"; then
  echo "FAILED: build" >&2
  exit 1
fi

section "ctest: unit, netns adapters, e2e scenarios"
export E2E_RESULTS_FILE="$ROOT/$BUILD_DIR/e2e-results.txt"
: >"$E2E_RESULTS_FILE"
# shellcheck disable=SC2086 # CTEST_ARGS is a list of words
if ! ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS" ${CTEST_ARGS:-}; then
  failures+=("ctest")
fi

if [[ -f tests/fuzz/CMakeLists.txt && "${SKIP_FUZZ:-0}" != 1 ]]; then
  section "fuzz ($FUZZ_BUILD_DIR/, clang, ${FUZZ_SECONDS} s per target)"
  if CC=clang CXX=clang++ cmake -S . -B "$FUZZ_BUILD_DIR" -DFLOATD_FUZZ=ON -DFLOATD_E2E=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$configure_log" 2>&1; then
    rm -f "$configure_log"
    mapfile -t targets < <(cmake --build "$FUZZ_BUILD_DIR" --target help | awk '/^\.\.\. fuzz_/ { print $2 }')
    if ((${#targets[@]} == 0)); then
      echo "no fuzz_* targets defined"
    elif cmake --build "$FUZZ_BUILD_DIR" -j"$JOBS" --target "${targets[@]}"; then
      for t in "${targets[@]}"; do
        bin=$(find "$FUZZ_BUILD_DIR" -type f -name "$t" -perm -u+x | head -n1)
        work=$(mktemp -d "/tmp/floatd-fuzz-$t-XXXXXX")
        # Seeds: tests/fuzz/corpus/<dir> where <dir> begins the target's name after fuzz_
        # (fuzz_advert_decoder -> corpus/advert). libFuzzer writes new inputs to the first
        # directory: a scratch one, so the source tree stays untouched.
        seeds=()
        for d in tests/fuzz/corpus/*/; do
          d=${d%/}
          [[ -d "$d" && "${t#fuzz_}" == "$(basename "$d")"* ]] && seeds+=("$d")
        done
        # Inputs that once crashed a target are replayed with its seeds.
        [[ -d "tests/fuzz/regressions/$t" ]] && seeds+=("tests/fuzz/regressions/$t")
        mkdir -p "$FUZZ_BUILD_DIR/artifacts"
        echo "-- $t: ${FUZZ_SECONDS} s, seeds: ${seeds[*]:-none}"
        if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$FUZZ_BUILD_DIR/artifacts/$t-" "$work" "${seeds[@]}" >"$work.log" 2>&1; then
          grep -E '^stat::number_of_executed_units|^Done' "$work.log" | sed "s/^/   /"
        else
          tail -n 60 "$work.log"
          failures+=("fuzz:$t")
          echo "-- $t FAILED (crash inputs in $FUZZ_BUILD_DIR/artifacts/)"
        fi
        rm -rf "$work" "$work.log"
      done
    else
      failures+=("fuzz build")
    fi
  else
    cat "$configure_log"
    rm -f "$configure_log"
    failures+=("fuzz configure")
  fi
fi

section "leftovers"
leaked=$(sweep_stale)
if [[ -n "$leaked" ]]; then
  printf 'test namespaces were left behind (now removed):\n%s\n' "$leaked" | sed '2,$s/^/  /'
  failures+=("leaked namespaces")
fi
# Daemons started by the e2e harness run with configs under /tmp/fde-*.
if leftover=$(pgrep -a -f '(floatd|keepalived) .*/tmp/fde-'); then
  echo "test daemons still running:"
  echo "$leftover"
  failures+=("leftover daemons")
fi
[[ " ${failures[*]} " == *" leaked namespaces "* || " ${failures[*]} " == *" leftover daemons "* ]] ||
  echo "none"

section "summary"
if [[ -s "$E2E_RESULTS_FILE" ]]; then
  echo "e2e measurements:"
  sed 's/^/  /' "$E2E_RESULTS_FILE"
fi
echo "total time: $(($(date +%s) - START)) s"
if ((${#failures[@]})); then
  echo "FAILED: ${failures[*]}"
  exit 1
fi
echo "ALL TESTS PASSED"

#!/usr/bin/env bash
# test_bench_functions_smoke.sh — keeps bench_functions from rotting: runs it
# on a tiny input (BENCH_ROWS=2000, one run) and checks that it exits 0 and
# prints every figure with a non-zero rate. The benchmark fails by itself if
# a forest scores nothing or a log parser returns NULL fields.
# Env: EDDY_BIN, EDDY_BINARY_DIR (the program is EDDY_BINARY_DIR/bench/bench_functions).
set -uo pipefail

: "${EDDY_BIN:?EDDY_BIN is not set}"
BENCH="${EDDY_BINARY_DIR:-$(dirname "$EDDY_BIN")}/bench/bench_functions"
[ -x "$BENCH" ] || { echo "FAIL: $BENCH not built (target bench_functions)"; exit 1; }

OUT=$(mktemp /tmp/eddy-bench-functions-smoke-XXXXXX)
trap 'rm -f "$OUT"' EXIT
rc=0
BENCH_ROWS=2000 BENCH_RUNS=1 timeout 300 "$BENCH" >"$OUT" 2>&1 || rc=$?

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
[ "$rc" -eq 0 ] || fail "bench_functions exited with status $rc: $(tail -3 "$OUT")"
for what in rcf hotspots w3c regex; do
  grep -Eq "^functions $what .* [1-9][0-9]* rows/cpu-s" "$OUT" || fail "no non-zero $what figure"
done
[ "$(grep -c '^functions rcf' "$OUT")" -eq 3 ] || fail "expected 3 rcf lines"
if [ "$FAILS" -ne 0 ]; then cat "$OUT"; exit 1; fi
echo "ok: bench_functions prints every figure"

#!/usr/bin/env bash
# test_bench_engine_smoke.sh — keeps the engine benchmark from rotting: runs
# build/bench/bench_engine on a tiny input (BENCH_RECORDS=20000, one steady
# run, no DuckDB) and checks that it exits 0 and prints every summary line
# with non-zero rates. bench_engine checks its own results (records read,
# rows out, the tumbling sums read back from the output stream), so exit 0
# also means every application computed what the generator expected.
# Env: EDDY_BIN, EDDY_BINARY_DIR (bench_engine is EDDY_BINARY_DIR/bench/bench_engine).
set -uo pipefail

: "${EDDY_BIN:?EDDY_BIN is not set}"
BENCH="${EDDY_BINARY_DIR:-$(dirname "$EDDY_BIN")}/bench/bench_engine"
[ -x "$BENCH" ] || { echo "FAIL: $BENCH not built (target bench_engine)"; exit 1; }

TMP=$(mktemp -d /tmp/eddy-bench-engine-smoke-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

rc=0
BENCH_RECORDS=20000 BENCH_RUNS=1 BENCH_NO_PEERS=1 \
    timeout 120 "$BENCH" >"$TMP/out" 2>"$TMP/err" || rc=$?

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

[ "$rc" -eq 0 ] || fail "bench_engine exited with status $rc"

# want PATTERN: a line matching the extended regex must be in the output.
want() { grep -Eq "$1" "$TMP/out" || fail "no line matching: $1"; }

# A rate that is not zero: 0.00 would mean a run measured nothing.
RATE='(0\.0[1-9]|0\.[1-9][0-9]|[1-9][0-9]*\.[0-9]+)'
want '^bench_engine: machine: [0-9]+ cores online, .+'
want '^bench_engine: input: 20000 bids, [0-9.]+ B average, 1 shard, 10000 keys'
for fig in "q0 passthrough" "q1 project" "q2 filter" "tumble count/max 10K keys" "slide 1min avg/min/max"; do
    want "^engine $fig +$RATE M rec/cpu-s +$RATE M rec/s wall \| cold +$RATE M rec/cpu-s +$RATE M rec/s wall \| target [0-9.]+ M/cpu-s \([0-9.]+x\) \| [0-9]+ rows out\$"
done
want '^engine tumble memory +[0-9]+\.[0-9] B per open group'
want '^duckdb: skipped \(BENCH_NO_PEERS=1\)'
# Every record reaches q0's and the sliding window's output.
grep -E '^engine (q0 passthrough|slide 1min)' "$TMP/out" | grep -qv '| 20000 rows out$' &&
    fail "q0 or slide did not output one row per input record"

if [ "$FAILS" -ne 0 ]; then
    echo "--- stdout"; cat "$TMP/out"
    echo "--- stderr"; cat "$TMP/err"
    exit 1
fi
echo "PASS: bench_engine smoke ($(grep -c '^engine ' "$TMP/out") figures)"

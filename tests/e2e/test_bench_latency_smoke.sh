#!/usr/bin/env bash
# test_bench_latency_smoke.sh — keeps the latency benchmark from rotting:
# runs build/bench/bench_latency at a low rate for one second per run
# (BENCH_RATE=5000 BENCH_SECONDS=1, about 4 s in all) and checks that it
# exits 0 and prints every figure with sane numbers: percentiles > 0, in
# order (p50 <= p99 <= p99.9 <= max) and below 10 s, samples counted after
# the warm-up. bench_latency checks its own results (every record comes out
# once; the windows read back are exactly the input's 10 ms buckets with
# their counts), so exit 0 also means the live application computed them.
# Latency values are not held to the targets here (except that a second
# input's pushes wake the application: its median must stay far below the
# 50 ms idle wait): a smoke test on a shared
# machine must not fail on a slow moment.
# Env: EDDY_BIN, EDDY_BINARY_DIR (bench_latency is EDDY_BINARY_DIR/bench/bench_latency).
set -uo pipefail

: "${EDDY_BIN:?EDDY_BIN is not set}"
BENCH="${EDDY_BINARY_DIR:-$(dirname "$EDDY_BIN")}/bench/bench_latency"
[ -x "$BENCH" ] || { echo "FAIL: $BENCH not built (target bench_latency)"; exit 1; }

TMP=$(mktemp -d /tmp/eddy-bench-latency-smoke-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

rc=0
BENCH_RATE=5000 BENCH_SECONDS=1 timeout 60 "$BENCH" >"$TMP/out" 2>"$TMP/err" || rc=$?

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

[ "$rc" -eq 0 ] || fail "bench_latency exited with status $rc"

# want PATTERN: a line matching the extended regex must be in the output.
want() { grep -Eq "$1" "$TMP/out" || fail "no line matching: $1"; }

US='[0-9]+\.[0-9] us'
PCT="p50 $US  p99 $US  p99\.9 $US  max $US"
RATIO='\([0-9]+\.[0-9]{2}x\)'
want '^bench_latency: machine: [0-9]+ cores online, .+'
want '^bench_latency: 5000 rec/s for 1\.0 s per run, .*warm-up and not counted$'
want "^latency put->output stateless +fsync=interval 5000 rec/s open loop, 5000 records \([1-9][0-9]* counted\): $PCT \| target p99 1000 us $RATIO\$"
want "^latency put->output stateless +fsync=always +5000 rec/s open loop, 5000 records \([1-9][0-9]* counted\): $PCT \| target p99 2000 us $RATIO\$"
want "^latency put->output 2 inputs +fsync=interval 5000 rec/s open loop, 5000 records \([1-9][0-9]* counted\): $PCT \| target p99 1000 us $RATIO\$"
want "^latency window-close->output +fsync=interval 5000 rec/s open loop, 10 ms windows, [1-9][0-9]* windows: $PCT \| from the put of the closing record \| target p99 1000 us $RATIO\$"
want "^latency window-end->output +fsync=interval 5000 rec/s open loop, 10 ms windows, [1-9][0-9]* windows: $PCT \| from the wall-clock window end \(upper bound\) \| target p99 1000 us $RATIO\$"
[ "$(grep -c '^latency ' "$TMP/out")" -eq 5 ] || fail "expected 5 latency lines"

# Every figure: 0 < p50 <= p99 <= p99.9 <= max < 10 s.
while IFS= read -r line; do
    read -r p50 p99 p999 max < <(sed -E 's/.* p50 ([0-9.]+) us  p99 ([0-9.]+) us  p99\.9 ([0-9.]+) us  max ([0-9.]+) us.*/\1 \2 \3 \4/' <<<"$line")
    awk -v a="$p50" -v b="$p99" -v c="$p999" -v d="$max" \
        'BEGIN { exit !(a > 0 && a <= b && b <= c && c <= d && d < 10000000) }' ||
        fail "percentiles out of order or out of range: $line"
done < <(grep '^latency ' "$TMP/out")

# A push to an application's second input must wake it at once, not at
# the run loop's 50 ms timeout (which gave a median of ~25 ms): the median
# is held far below that, loosely enough for a loaded machine.
p50=$(sed -nE 's/^latency put->output 2 inputs .* p50 ([0-9.]+) us .*/\1/p' "$TMP/out")
awk -v a="${p50:-99999999}" 'BEGIN { exit !(a < 10000) }' || fail "2 inputs: median ${p50:-?} us, a push to the second input did not wake the application"

# About a second of windows minus the warm-up: ~50 windows of 10 ms.
n=$(sed -nE 's/^latency window-close->output .* ([0-9]+) windows:.*/\1/p' "$TMP/out")
[ -n "$n" ] && [ "$n" -ge 10 ] || fail "too few windows measured: ${n:-none}"

if [ "$FAILS" -ne 0 ]; then
    echo "--- stdout"; cat "$TMP/out"
    echo "--- stderr"; cat "$TMP/err"
    exit 1
fi
echo "PASS: bench_latency smoke ($(grep -c '^latency ' "$TMP/out") figures)"

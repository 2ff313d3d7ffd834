#!/usr/bin/env bash
# test_bench_api_smoke.sh — keeps the Kinesis API benchmark from rotting: runs
# build/bench/bench_api with a tiny load (BENCH_RECORDS=50000, one run, no
# kinesalite) against the built eddy, and checks that it exits 0, prints
# every summary line with non-zero rates, and leaves no server behind.
# Env: EDDY_BIN, EDDY_BINARY_DIR (bench_api is EDDY_BINARY_DIR/bench/bench_api).
set -uo pipefail

: "${EDDY_BIN:?EDDY_BIN is not set}"
BENCH="${EDDY_BINARY_DIR:-$(dirname "$EDDY_BIN")}/bench/bench_api"
[ -x "$BENCH" ] || { echo "FAIL: $BENCH not built (target bench_api)"; exit 1; }

TMP=$(mktemp -d /tmp/eddy-bench-api-smoke-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# Every process the benchmark starts inherits this, so leftovers can be
# found by it afterwards (and only ours).
TAG="bench-api-smoke-$$-$RANDOM"

rc=0
BENCH_SMOKE_TAG=$TAG BENCH_RECORDS=50000 BENCH_RUNS=1 BENCH_NO_PEERS=1 EDDY_BIN="$EDDY_BIN" \
    timeout 120 "$BENCH" >"$TMP/out" 2>"$TMP/err" || rc=$?

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

[ "$rc" -eq 0 ] || fail "bench_api exited with status $rc"

# want PATTERN: a line matching the extended regex must be in the output.
want() { grep -Eq "$1" "$TMP/out" || fail "no line matching: $1"; }

NUM='[0-9]+(\.[0-9]+)?[KMG]?'
want '^bench_api: machine: [0-9]+ cores online'
want '^kinesalite: skipped \(BENCH_NO_PEERS=1\)'
for fig in "put_records +rec/s" "put_records +req/s" "put_records +MB/s" \
           "put_record +req/s" "put_record +MB/s" "get_records +rec/s" "get_records +MB/s"; do
    want "^api $fig +eddy +$NUM\$"
done
for ph in put_records put_record get_records; do
    want "^api $ph +rec/server-cpu-s +eddy +$NUM \(server"
done
LAT="p50 ${NUM}(us|ms|s) p99 ${NUM}(us|ms|s) p99\.9 ${NUM}(us|ms|s) max ${NUM}(us|ms|s)"
want "^api put_records +latency +eddy $LAT\$"
want "^api put_record +latency +eddy $LAT\$"
want "^api put_record +open-loop +eddy $LAT at $NUM req/s open loop"
want "^api put_record +open-loop-hist +eddy p10 .* max .* \([0-9]+ requests\)\$"

# A rate of zero means a phase measured nothing.
if grep -E '^api .* eddy +0(\.0+)?( |$)' "$TMP/out"; then fail "a figure is zero"; fi
# Phase A wrote 5000 records and phase B 500; phase C must have read them
# all back, which bench_api checks itself (it exits 1 on a mismatch).
grep -q "A: 50000 records" "$TMP/out" || fail "phase A did not use BENCH_RECORDS"

# No server left running: bench_api stops every process it starts.
sleep 0.2
for env in /proc/[0-9]*/environ; do
    if tr '\0' '\n' 2>/dev/null <"$env" | grep -qx "BENCH_SMOKE_TAG=$TAG"; then
        pid=${env#/proc/}; pid=${pid%/environ}
        fail "process $pid ($(tr '\0' ' ' 2>/dev/null </proc/$pid/cmdline)) is still running"
    fi
done

if [ "$FAILS" -ne 0 ]; then
    echo "--- stdout:"; cat "$TMP/out"
    echo "--- stderr:"; cat "$TMP/err"
    exit 1
fi
echo "ok: bench_api smoke run ($(grep -c '^api ' "$TMP/out") summary lines)"

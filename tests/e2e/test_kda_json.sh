#!/usr/bin/env bash
# test_kda_json.sh — runs examples/kda_json/app.json, a Kinesis Data Analytics
# CreateApplication document, unchanged: its input is the stored stream named
# by the last part of the input's ResourceARN (ticker), read as
# SOURCE_SQL_STREAM_001 with the JSON mapping of InputSchema; its output
# DESTINATION_SQL_STREAM goes to the stream of the output's ResourceARN
# (ticker-out) as JSON. The records written to ticker-out must equal
# examples/kda_json/expected.jsonl (one record's data per line).
# With EDDY_TEST_REWRITE=1 it rewrites expected.jsonl instead (review it).
set -uo pipefail
EDDY="${EDDY_BIN:?EDDY_BIN must point at the eddy binary}"
SRC="${EDDY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
APP="$SRC/examples/kda_json"
TMP="$(mktemp -d /tmp/eddy-kda-json-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
D="$TMP/data"

fail() { echo "FAIL: $*"; exit 1; }

"$EDDY" stream create ticker --shards 2 --data-dir "$D" >/dev/null || fail "stream create ticker"
"$EDDY" stream create ticker-out --shards 1 --data-dir "$D" >/dev/null || fail "stream create ticker-out"
"$EDDY" put ticker --key ticker_symbol --arrival-time ts --data-dir "$D" \
    < "$SRC/examples/ticker.jsonl" 2>/dev/null || fail "put"
"$EDDY" run "$APP/app.json" --drain --data-dir "$D" >"$TMP/run.out" 2>"$TMP/run.err" \
    || { cat "$TMP/run.err"; fail "eddy run app.json"; }
# An application whose output is bound to a stream prints nothing.
[ -s "$TMP/run.out" ] && { head -5 "$TMP/run.out"; fail "eddy run printed rows although the output is bound"; }

"$EDDY" tail ticker-out --from trim_horizon --until-end --format json --data-dir "$D" \
    > "$TMP/tail.json" || fail "tail ticker-out"
# Keep each record's payload (arrival times and sequence numbers are the
# run's own).
"${EDDY_PYTHON3:-python3}" -c '
import json, sys
for line in sys.stdin:
    print(json.loads(line)["data"])' < "$TMP/tail.json" > "$TMP/out.jsonl" || fail "tail output is not JSON"

if [ "${EDDY_TEST_REWRITE:-}" = 1 ]; then
  cp "$TMP/out.jsonl" "$APP/expected.jsonl"; echo "rewrote examples/kda_json/expected.jsonl"; exit 0
fi
[ -s "$APP/expected.jsonl" ] || fail "no expected.jsonl (run with EDDY_TEST_REWRITE=1 and review it)"
if ! diff -u "$APP/expected.jsonl" "$TMP/out.jsonl" > "$TMP/diff"; then
  head -30 "$TMP/diff"; fail "ticker-out differs from expected.jsonl"
fi

# Errors in the document name the field and fail the run.
sed 's#stream/ticker"#stream/no-such-stream"#' "$APP/app.json" > "$TMP/bad.json"
if "$EDDY" run "$TMP/bad.json" --drain --data-dir "$D" >/dev/null 2>"$TMP/bad.err"; then
  fail "an input stream that does not exist was accepted"
fi
grep -q 'no-such-stream' "$TMP/bad.err" || { cat "$TMP/bad.err"; fail "the error does not name the stream"; }
echo "ok   kda_json ($(wc -l < "$TMP/out.jsonl") records in ticker-out)"

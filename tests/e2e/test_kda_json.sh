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

# InputParallelism: Count 2 makes SOURCE_SQL_STREAM_001 and _002, which
# share ticker's two shards; pumps from both into one output give every
# record once, the same rows as one in-application stream reading both.
"${EDDY_PYTHON3:-python3}" - "$APP/app.json" "$TMP" <<'PY' || fail "could not write the parallel variants"
import json, sys
app = json.load(open(sys.argv[1]))
cols = "ticker_symbol VARCHAR(4), price DOUBLE, part INTEGER"
one = ('CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (%s);\n' % cols +
       'CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DESTINATION_SQL_STREAM" '
       'SELECT STREAM ticker_symbol, price, 0 FROM "SOURCE_SQL_STREAM_001";\n')
two = ('CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (%s);\n' % cols +
       ''.join('CREATE OR REPLACE PUMP "P%d" AS INSERT INTO "DESTINATION_SQL_STREAM" '
               'SELECT STREAM ticker_symbol, price, %d FROM "SOURCE_SQL_STREAM_00%d";\n' % (k, k, k)
               for k in (1, 2)))
for name, code, count in (("one", one, 1), ("two", two, 2)):
    app["ApplicationName"] = "parallel-" + name
    app["ApplicationCode"] = code
    app["Inputs"][0]["InputParallelism"] = {"Count": count}
    app["Outputs"][0]["KinesisStreamsOutput"]["ResourceARN"] = "arn:aws:kinesis:us-east-1:000000000000:stream/out-" + name
    json.dump(app, open("%s/%s.json" % (sys.argv[2], name), "w"))
PY
for v in one two; do
  "$EDDY" stream create "out-$v" --shards 1 --data-dir "$D" >/dev/null || fail "stream create out-$v"
  "$EDDY" run "$TMP/$v.json" --drain --data-dir "$D" >/dev/null 2>"$TMP/$v.err" \
      || { cat "$TMP/$v.err"; fail "eddy run with InputParallelism ($v)"; }
  "$EDDY" tail "out-$v" --from trim_horizon --until-end --format json --data-dir "$D" > "$TMP/$v.tail" \
      || fail "tail out-$v"
done
"${EDDY_PYTHON3:-python3}" - "$TMP/one.tail" "$TMP/two.tail" <<'PY' || fail "InputParallelism 2 did not split the shards between _001 and _002"
import json, sys
def rows(path):
    return [json.loads(json.loads(l)["data"]) for l in open(path)]
one, two = rows(sys.argv[1]), rows(sys.argv[2])
strip = lambda r: (r["TICKER_SYMBOL"], r["PRICE"])
assert len(one) == 600, len(one)
assert sorted(map(strip, one)) == sorted(map(strip, two)), "different rows"
parts = {r["PART"] for r in two}
assert parts == {1, 2}, parts
PY

# Errors in the document name the field and fail the run.
sed 's#stream/ticker"#stream/no-such-stream"#' "$APP/app.json" > "$TMP/bad.json"
if "$EDDY" run "$TMP/bad.json" --drain --data-dir "$D" >/dev/null 2>"$TMP/bad.err"; then
  fail "an input stream that does not exist was accepted"
fi
grep -q 'no-such-stream' "$TMP/bad.err" || { cat "$TMP/bad.err"; fail "the error does not name the stream"; }
sed 's#"Count": 1#"Count": 1.5#' "$APP/app.json" > "$TMP/badcount.json"
if "$EDDY" run "$TMP/badcount.json" --drain --data-dir "$D" >/dev/null 2>"$TMP/badcount.err"; then
  fail "InputParallelism.Count 1.5 was accepted"
fi
grep -q 'InputParallelism' "$TMP/badcount.err" || { cat "$TMP/badcount.err"; fail "the error does not name InputParallelism"; }
echo "ok   kda_json ($(wc -l < "$TMP/out.jsonl") records in ticker-out; InputParallelism 2)"

#!/usr/bin/env bash
# test_explain.sh — `eddy explain` end to end:
#   * every examples/*/app.sql explains with exit 0 and a plan tree for each
#     of its pumps and source-bound streams;
#   * a syntax error and a semantic error (unknown column, with its
#     "Perhaps you meant" hint) exit 1 with exactly the rendered caret error
#     on stderr, and the statements before the error still explained on stdout;
#   * a KDA application JSON (tests/e2e/kda/ticker_app.json, in the shape of
#     CreateApplication) explains with exit 0, its input becoming
#     <NamePrefix>_001 bound to the stream of the input's ResourceARN, and its
#     output sinking to the stream of the output's ResourceARN;
#   * usage errors exit 2, and a JSON error names the field.
set -uo pipefail
EDDY="${EDDY_BIN:?EDDY_BIN must point at the eddy binary}"
SRC="${EDDY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
TMP="$(mktemp -d /tmp/eddy-explain-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
fail=0; passed=0
[ -x "$EDDY" ] || { echo "FAIL: EDDY_BIN=$EDDY is not an executable"; exit 1; }

ok()  { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; fail=1; }

# run FILE: sets rc, and leaves stdout/stderr in $TMP/out, $TMP/err.
run() { "$EDDY" explain "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }

expect_same() { # name expected-file actual-file
  if diff -u "$2" "$3" >"$TMP/diff"; then ok; else bad "$1"; cat "$TMP/diff"; fi
}

# --- every example plans ------------------------------------------------------
n_examples=0
for app in "$SRC"/examples/*/app.sql; do
  name="$(basename "$(dirname "$app")")"
  n_examples=$((n_examples + 1))
  run "$app"
  if [ "$rc" -ne 0 ]; then bad "$name: exit $rc"; cat "$TMP/err"; continue; fi
  if [ -s "$TMP/err" ]; then bad "$name: wrote to stderr"; cat "$TMP/err"; continue; fi
  # One plan per pump: a CREATE PUMP header, then the tree's root
  # "PUMP name INTO target", down to a scan of a stream it reads.
  pumps=$(grep -ciE '^[[:space:]]*CREATE[[:space:]]+(OR[[:space:]]+REPLACE[[:space:]]+)?PUMP' "$app")
  headers=$(grep -c '^CREATE PUMP ' "$TMP/out")
  roots=$(grep -cE '^PUMP [^ ]+ INTO [^ ]+ \(' "$TMP/out")
  if [ "$pumps" -eq 0 ] || [ "$headers" -ne "$pumps" ] || [ "$roots" -ne "$pumps" ]; then
    bad "$name: $pumps pumps in app.sql, $headers CREATE PUMP headers and $roots PUMP roots in the plan"
    cat "$TMP/out"; continue
  fi
  if ! grep -qE '^ +STREAM_SCAN ' "$TMP/out" || ! grep -qE '^ +schema: \(' "$TMP/out"; then
    bad "$name: no plan tree (STREAM_SCAN / schema lines)"; cat "$TMP/out"; continue
  fi
  # A source-bound stream is fed by an ingest tree: SOURCE under DECODE.
  if grep -q "source *=" "$app" && ! { grep -q '^PUMP INTO ' "$TMP/out" &&
       grep -qE "^ +SOURCE stream='[^']+'" "$TMP/out"; }; then
    bad "$name: no SOURCE node for its source binding"; cat "$TMP/out"; continue
  fi
  ok
done
[ "$n_examples" -gt 0 ] || bad "no examples/*/app.sql found under $SRC"

# --- a syntax error -------------------------------------------------------------
cat >"$TMP/syntax.sql" <<'EOF'
CREATE STREAM trades (ticker VARCHAR(4), price DOUBLE);
CREATE PUMP p AS INSERT INTO out
  SELECT * FORM trades;
EOF
cat >"$TMP/syntax.expected" <<'EOF'
ERROR: syntax error at or near "FORM" (3:12)
LINE 3:   SELECT * FORM trades;
                   ^~~~
EOF
run "$TMP/syntax.sql"
[ "$rc" -eq 1 ] && ok || bad "syntax error: exit $rc, expected 1"
expect_same "syntax error message" "$TMP/syntax.expected" "$TMP/err"
# Nothing plans when the script does not parse.
[ -s "$TMP/out" ] && bad "syntax error: wrote a plan: $(cat "$TMP/out")" || ok

# --- a semantic error: unknown column with a hint ----------------------------------
cat >"$TMP/semantic.sql" <<'EOF'
CREATE STREAM trades (ticker VARCHAR(4), price DOUBLE);
CREATE STREAM cheap (ticker VARCHAR(4), price DOUBLE);
CREATE PUMP p AS INSERT INTO cheap
    SELECT STREAM ticker, prce FROM trades WHERE price < 10;
EOF
cat >"$TMP/semantic.expected" <<'EOF'
ERROR: column "PRCE" does not exist (4:27)
LINE 4:     SELECT STREAM ticker, prce FROM trades WHERE price < 10;
                                  ^~~~
HINT:  Perhaps you meant "PRICE".
EOF
run "$TMP/semantic.sql"
[ "$rc" -eq 1 ] && ok || bad "semantic error: exit $rc, expected 1"
expect_same "semantic error message" "$TMP/semantic.expected" "$TMP/err"
# The two streams before the error were explained.
[ "$(grep -c '^CREATE STREAM ' "$TMP/out")" -eq 2 ] && ok || { bad "semantic error: stdout"; cat "$TMP/out"; }

# The same from standard input.
"$EDDY" explain - <"$TMP/semantic.sql" >/dev/null 2>"$TMP/err"; rc=$?
[ "$rc" -eq 1 ] && ok || bad "stdin: exit $rc, expected 1"
expect_same "stdin semantic error message" "$TMP/semantic.expected" "$TMP/err"

# --- a KDA application JSON -------------------------------------------------------
run "$SRC/tests/e2e/kda/ticker_app.json"
if [ "$rc" -ne 0 ]; then
  bad "kda: exit $rc"; cat "$TMP/err"
else
  ok
  # The input's stream: <NamePrefix>_001, read from the ARN's stream, with
  # the JSON mapping of the RecordColumns.
  grep -q '^CREATE STREAM "SOURCE_SQL_STREAM_001"$' "$TMP/out" && ok || { bad "kda: no SOURCE_SQL_STREAM_001"; cat "$TMP/out"; }
  grep -q '^PUMP INTO SOURCE_SQL_STREAM_001 ' "$TMP/out" && ok || bad "kda: no ingest into SOURCE_SQL_STREAM_001"
  grep -qE "^ +SOURCE stream='ExampleInputStream' " "$TMP/out" && ok || bad "kda: not bound to ExampleInputStream"
  grep -qE '^ +DECODE json row_path=\$ mapping=\[TICKER_SYMBOL <- \$\.TICKER_SYMBOL, SECTOR <- \$\.SECTOR, CHANGE <- \$\.CHANGE, PRICE <- \$\.PRICE\]$' "$TMP/out" \
    && ok || bad "kda: DECODE does not use the RecordColumns mappings"
  # The code's pump reads it with a tumbling window.
  grep -q '^PUMP STREAM_PUMP INTO DESTINATION_SQL_STREAM ' "$TMP/out" && ok || bad "kda: no STREAM_PUMP"
  grep -qE '^ +STREAM_SCAN SOURCE_SQL_STREAM_001$' "$TMP/out" && ok || bad "kda: pump does not scan SOURCE_SQL_STREAM_001"
  # The output binds DESTINATION_SQL_STREAM to the output ARN's stream.
  grep -q '^OUTPUT "DESTINATION_SQL_STREAM"$' "$TMP/out" && ok || bad "kda: no OUTPUT section"
  grep -q "^SINK stream='ExampleOutputStream' format=json" "$TMP/out" && ok || { bad "kda: no sink to ExampleOutputStream"; cat "$TMP/out"; }
fi

# A KDA description whose code has an error renders it against the code.
python3 - "$SRC/tests/e2e/kda/ticker_app.json" "$TMP/bad_app.json" <<'EOF' || bad "cannot write bad_app.json"
import json, sys
app = json.load(open(sys.argv[1]))
app["ApplicationCode"] = app["ApplicationCode"].replace("AVG(price)", "AVG(prices)")
json.dump(app, open(sys.argv[2], "w"))
EOF
run "$TMP/bad_app.json"
[ "$rc" -eq 1 ] && ok || bad "kda bad code: exit $rc, expected 1"
grep -q '^ERROR: column "PRICES" does not exist (3:36)$' "$TMP/err" && grep -q '^HINT:  Perhaps you meant "PRICE"\.$' "$TMP/err" \
  && ok || { bad "kda bad code: message"; cat "$TMP/err"; }

# A JSON error names the field, without a position.
echo '{"ApplicationCode": "SELECT 1", "Inputs": {}}' >"$TMP/bad_inputs.json"
run "$TMP/bad_inputs.json"
[ "$rc" -eq 1 ] && ok || bad "kda bad Inputs: exit $rc, expected 1"
[ "$(cat "$TMP/err")" = "ERROR: application JSON: Inputs must be an array" ] && ok || { bad "kda bad Inputs: message"; cat "$TMP/err"; }

# --- usage ------------------------------------------------------------------------
"$EDDY" explain >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] && ok || bad "no argument: exit $rc, expected 2"
"$EDDY" explain "$TMP/does-not-exist.sql" >/dev/null 2>"$TMP/err"; rc=$?
[ "$rc" -eq 1 ] && grep -q 'cannot read' "$TMP/err" && ok || bad "missing file: exit $rc"

echo "test_explain: $passed checks passed"
[ "$fail" -eq 0 ]

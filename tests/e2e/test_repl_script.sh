#!/usr/bin/env bash
# test_repl_script.sh — `eddy repl` without a terminal, as CI uses it:
# -f FILE and piped stdin run every statement (multi-line, ';' inside
# strings and comments), meta commands (\mode, \o, \i, \x, \from) work,
# PRINT reads raw records, and the first error stops the run with exit
# status 1 and the caret on stderr. Also the usage errors (status 2).
set -uo pipefail

EDDY="${EDDY_BIN:-build/eddy}"
[ -x "$EDDY" ] || { echo "FAIL: eddy binary not found at $EDDY (set EDDY_BIN)"; exit 1; }
TMP="$(mktemp -d /tmp/eddy-e2e-repl-script-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
D="$TMP/data"
OUT="$TMP/out"
ERR="$TMP/err"
STEP=""
export EDDY_HISTORY=""

fail() {
  echo "FAIL [$STEP]: $*"
  echo "--- stdout:"; head -40 "$OUT" 2>/dev/null
  echo "--- stderr:"; head -40 "$ERR" 2>/dev/null
  exit 1
}
has() { grep -qE -- "$1" "$OUT" || fail "stdout lacks /$1/"; }
lacks() { ! grep -qE -- "$1" "$OUT" || fail "stdout has /$1/"; }
has_err() { grep -qE -- "$1" "$ERR" || fail "stderr lacks /$1/"; }
status() { [ "$1" = "$2" ] || fail "exit status $1, expected $2"; }

"$EDDY" stream create trades --shards 1 --data-dir "$D" >/dev/null 2>&1 || { STEP=setup; fail "stream create"; }
printf '{"sym":"AAPL","price":10}\n{"sym":"MSFT","price":20}\n' |
  "$EDDY" put trades --data-dir "$D" >/dev/null 2>&1 || { STEP=setup; fail "put"; }

STEP="-f runs every statement"
cat >"$TMP/ok.sql" <<'EOF'
-- a comment; with a semicolon
CREATE STREAM t (
    sym VARCHAR(4),   /* the ticker; 4 letters */
    price INTEGER) DESCRIPTION 'x;y'
  WITH (source = 'trades', format = 'json');
SHOW STREAMS; DESCRIBE t;
DESCRIBE EXTENDED t;
PRINT trades FROM BEGINNING LIMIT 2;
EOF
"$EDDY" repl --data-dir "$D" -f "$TMP/ok.sql" >"$OUT" 2>"$ERR"
status $? 0
has "^CREATE STREAM"
has "^ T +\| stream +\| 2 +\| trades"
has "^ PRICE +\| INTEGER"
has "read by pumps +\| \(none\)"
has "stored stream trades +\| ACTIVE, 1 open shard \(1 in all\), 2 records"
has '^ shardId-000000000000 \| [0-9]{20,} +\| 20[0-9-]+T[0-9:.]+Z \| [^|]+\| \{"sym":"MSFT","price":20\}'
has "^\(2 rows\)"
lacks "eddy>"          # no prompts
lacks "streaming SQL shell"   # no banner
has_err "NOTICE: printing stored stream trades from the beginning"

STEP="piped stdin stops at the first error"
printf 'SHOW STREAMS;\nSELECT *\n  FORM t;\nSHOW PUMPS;\n' |
  "$EDDY" repl --memory >"$OUT" 2>"$ERR"
status $? 1
has "error_stream"
lacks "TARGET"         # SHOW PUMPS never ran
has_err '^ERROR: syntax error at or near "FORM" \(2:3\)$'
has_err '^LINE 2:   FORM t;$'
has_err '^          \^~~~$'

STEP="-f stops at a semantic error"
printf 'DESCRIBE nope;\nSHOW STREAMS;\n' >"$TMP/bad.sql"
"$EDDY" repl --memory -f "$TMP/bad.sql" >"$OUT" 2>"$ERR"
status $? 1
has_err 'ERROR: .*NOPE.*'
lacks "error_stream"

STEP="meta commands: mode, o, i, x, from"
printf 'SHOW STREAMS;\n' >"$TMP/inc.sql"
cat >"$TMP/meta.sql" <<EOF
\\mode csv
SHOW STREAMS;
\\mode jsonl
\\i $TMP/inc.sql
\\o $TMP/o.txt
\\mode table
\\x
SHOW STREAMS;
\\o
\\x off
\\from beginning
SET 'from' = 'latest';
\\timing
SHOW PUMPS;
EOF
"$EDDY" repl --memory -f "$TMP/meta.sql" >"$OUT" 2>"$ERR"
status $? 0
has "^NAME,KIND,COLUMNS,SOURCE,SINK$"
has "^error_stream,error_stream,7,,$"
has '^\{"NAME":"error_stream","KIND":"error_stream","COLUMNS":"7","SOURCE":null,"SINK":null\}$'
has "read from the beginning \(TRIM_HORIZON\)"
has "read from now on \(LATEST\)"
has "^Time: [0-9.]+ ms$"
has "^ NAME +\| TARGET +\| READS"
lacks "RECORD 1"       # expanded output went to the \o file
grep -q -- "-\[ RECORD 1 \]" "$TMP/o.txt" || fail "\\o file lacks the expanded record"
grep -q "^KIND    | error_stream" "$TMP/o.txt" || fail "\\o file lacks the KIND line"

STEP="REPL statements: bad PRINT, bad SET, unknown meta command"
for bad in 'PRINT;' "SET 'from' = 'tomorrow';" '\nosuch' 'PRINT nosuch LIMIT 1;' '\mode xml'; do
  printf '%s\nSHOW STREAMS;\n' "$bad" | "$EDDY" repl --data-dir "$D" >"$OUT" 2>"$ERR"
  status $? 1
  has_err "ERROR"
  lacks "error_stream"
done

STEP="input ending inside a statement"
printf "SELECT STREAM 'open" | "$EDDY" repl --memory >"$OUT" 2>"$ERR"
status $? 1
has_err "ERROR"

STEP="\\q ends a script early with success"
printf 'SHOW STREAMS;\n\\q\nSELECT * FORM x;\n' | "$EDDY" repl --memory >"$OUT" 2>"$ERR"
status $? 0

STEP="usage errors"
"$EDDY" repl --memory --data-dir "$D" </dev/null >"$OUT" 2>"$ERR"
status $? 2
has_err "choose one of"
"$EDDY" repl --bogus </dev/null >"$OUT" 2>"$ERR"
status $? 2
"$EDDY" repl --memory -f "$TMP/missing.sql" </dev/null >"$OUT" 2>"$ERR"
status $? 1
has_err "cannot open"
"$EDDY" repl --connect ftp://x </dev/null >"$OUT" 2>"$ERR"
status $? 1
has_err "needs a URL"
"$EDDY" repl --help >"$OUT" 2>"$ERR"
status $? 0
has "usage: eddy repl"

echo "PASS"

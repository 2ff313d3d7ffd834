#!/usr/bin/env bash
# test_cli_store.sh — end-to-end test of the store's command line: drives the
# built `eddy` ($EDDY_BIN) on a temporary --data-dir through stream
# create/list/describe/split/merge/scale/delete, put (JSON with --key, plain
# lines, --arrival-time with an out-of-order record), tail (every --from
# form, --shard, --until-end, --fan-out, JSON output, follow mode ended by
# SIGINT) and `eddy demo`. Fails with a message on the first mismatch.
set -uo pipefail

EDDY="${EDDY_BIN:-build/eddy}"
[ -x "$EDDY" ] || { echo "FAIL: eddy binary not found at $EDDY (set EDDY_BIN)"; exit 1; }
TMP="$(mktemp -d /tmp/eddy-e2e-cli-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
D="$TMP/data"
OUT="$TMP/out"
ERR="$TMP/err"
STEP=""

fail() {
  echo "FAIL [$STEP]: $*"
  echo "--- stdout:"; cat "$OUT" 2>/dev/null | head -40
  echo "--- stderr:"; cat "$ERR" 2>/dev/null | head -40
  exit 1
}

# run EXPECTED_STATUS ARGS... — runs eddy with --data-dir, stdin from $IN
# (default /dev/null), capturing stdout/stderr.
IN=/dev/null
run() {
  local want="$1"; shift
  "$EDDY" "$@" --data-dir "$D" <"$IN" >"$OUT" 2>"$ERR"
  local got=$?
  [ "$got" = "$want" ] || fail "eddy $* exited $got, expected $want"
}
has() { grep -qE -- "$1" "$OUT" || fail "stdout lacks /$1/"; }
has_err() { grep -qE -- "$1" "$ERR" || fail "stderr lacks /$1/"; }
lines() { local n; n=$(wc -l <"$OUT"); [ "$n" = "$1" ] || fail "stdout has $n lines, expected $1"; }

STEP="help"
"$EDDY" stream --help >"$OUT" 2>"$ERR" || fail "stream --help failed"
has "create NAME"
"$EDDY" put --help >"$OUT" 2>"$ERR" || fail "put --help failed"
has "--arrival-time"
"$EDDY" tail --help >"$OUT" 2>"$ERR" || fail "tail --help failed"
has "--fan-out"

STEP="usage errors"
run 2 stream frobnicate x
has_err "unknown action"
run 2 stream create
run 2 stream create s --shards 0
has_err "--shards must be"
run 2 put
run 2 put s --format xml
run 2 put s --format lines --key k
run 2 tail s --from yesterday
run 2 tail s --from at:notanumber

STEP="stream create/list/describe"
run 0 stream create trades --shards 2
has "created stream trades with 2 shards"
run 0 stream create logs
run 1 stream create trades
has_err "."
run 1 stream create 'bad name!'
run 0 stream list
lines 2
has "^logs$"
has "^trades$"
run 0 stream describe trades
has "status: +ACTIVE"
has "retention: +24 hours"
has "shards: +2 open, 2 in all"
has "^shardId-000000000000 +- +- +open +0 "
has "^shardId-000000000001 +- +- +open .* 340282366920938463463374607431768211455 "
run 1 stream describe nosuch
has_err "nosuch"

STEP="put JSON with --key"
IN="$TMP/trades.json"
for i in $(seq 1 50); do
  printf '{"sym":"S%02d","price":%d.5,"note":"a \\"quoted\\" \\u00e9"}\n' $((i % 7)) "$i"
done >"$IN"
echo '' >>"$IN"                      # empty lines are skipped
run 0 put trades --key sym
has_err "put 50 records to trades \(0 failed\)"
IN=/dev/null

STEP="put failures"
IN="$TMP/bad.json"
printf '{"sym":"A","v":1}\nnot json\n{"v":2}\n{"sym":null}\n' >"$IN"
run 1 put trades --key sym
has_err "line 2: not a JSON object"
has_err "line 3: no field \"sym\""
has_err "line 4: .*string or a number"
has_err "put 1 records to trades \(3 failed\)"
run 1 put nosuch
has_err "nosuch"
IN=/dev/null

STEP="put plain lines"
IN="$TMP/plain.txt"
printf 'hello world\nline two\n\001\002binary\n' >"$IN"
run 0 put logs --format lines --batch 2
has_err "put 3 records to logs \(0 failed\)"
IN=/dev/null

STEP="tail trim_horizon --until-end"
run 0 tail trades --until-end
lines 51
has "^shardId-00000000000[01]	[0-9]+	20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z	\{\"sym\":\"S"
# Records of one key go to one shard, in order.
for s in S00 S03; do
  n=$(grep -F "\"sym\":\"$s\"" "$OUT" | cut -f1 | sort -u | wc -l)
  [ "$n" = 1 ] || fail "records of key $s landed on $n shards"
  grep -F "\"sym\":\"$s\"" "$OUT" | cut -f4 | sed 's/.*"price":\([0-9]*\).*/\1/' >"$TMP/p"
  sort -n -c "$TMP/p" 2>/dev/null || fail "records of key $s out of order"
done
cp "$OUT" "$TMP/all"

STEP="tail plain and binary data"
run 0 tail logs --until-end
lines 3
has "	hello world$"
has "	base64:AQJiaW5hcnk=$"

STEP="tail --format json"
run 0 tail logs --until-end --format json
has '^\{"shard_id":"shardId-000000000000","sequence_number":"[0-9]+","arrival_time":"[^"]+Z","partition_key":"[0-9a-f]{16}","data":"hello world"\}$'
has '"data_base64":"AQJiaW5hcnk="'

STEP="tail --shard, at:, after:, latest, time:"
SHARD=$(head -n1 "$TMP/all" | cut -f1)
run 0 tail trades --shard "$SHARD" --until-end
N_SHARD=$(grep -c "^$SHARD	" "$TMP/all")
lines "$N_SHARD"
SEQ3=$(grep "^$SHARD	" "$TMP/all" | sed -n 3p | cut -f2)
run 0 tail trades --from "at:$SEQ3" --until-end
lines $((N_SHARD - 2))
has "	$SEQ3	"
run 0 tail trades --from "after:$SEQ3" --until-end
lines $((N_SHARD - 3))
grep -q "	$SEQ3	" "$OUT" && fail "after:SEQ printed SEQ itself"
run 0 tail trades --from "at:$SEQ3" --shard "$SHARD" --until-end
lines $((N_SHARD - 2))
run 1 tail trades --from "at:49$(printf "%054d" 99)" --until-end
has_err "no shard of stream trades holds"
run 0 tail trades --from latest --until-end
lines 0
run 0 tail trades --from time:2000-01-01T00:00:00Z --until-end
lines 51
# As Kinesis: a start time in the future is refused.
run 1 tail trades --from time:2999-01-01T00:00:00Z --until-end
has_err "cannot be greater than"
run 1 tail trades --shard shardId-000000000099 --until-end
run 1 tail nosuch --until-end

STEP="put --arrival-time (out of order)"
run 0 stream create hist
IN="$TMP/hist.json"
cat >"$IN" <<'EOF'
{"k":"a","ts":"2024-01-01T00:00:00Z","n":1}
{"k":"a","ts":"2024-01-01T00:00:05.250Z","n":2}
{"k":"a","ts":1704067201000,"n":3}
{"k":"a","ts":"2024-01-01T00:00:10Z","n":4}
EOF
run 0 put hist --key k --arrival-time ts
has_err "put 4 records to hist \(0 failed\)"
has_err "^1 arrival times adjusted"
IN=/dev/null
run 0 tail hist --until-end
lines 4
has "	2024-01-01T00:00:00.000Z	.*\"n\":1"
has "	2024-01-01T00:00:05.250Z	.*\"n\":2"
# The older third record takes its shard's latest time.
has "	2024-01-01T00:00:05.250Z	.*\"n\":3"
has "	2024-01-01T00:00:10.000Z	.*\"n\":4"
run 0 tail hist --from time:2024-01-01T00:00:06Z --until-end
lines 1
has "\"n\":4"
IN="$TMP/badtime.json"
printf '{"k":"a","ts":"yesterday"}\n{"k":"a"}\n' >"$IN"
run 1 put hist --key k --arrival-time ts
has_err "line 1: field \"ts\" is neither"
has_err "line 2: no field \"ts\""
IN=/dev/null

STEP="tail --fan-out"
run 0 tail trades --fan-out dash --until-end
lines 51
has_err "registered consumer arn:aws:kinesis:[^:]+:[0-9]+:stream/trades/consumer/dash:"
sort "$OUT" >"$TMP/fo"; sort "$TMP/all" >"$TMP/cl"
cmp -s "$TMP/fo" "$TMP/cl" || fail "fan-out output differs from the classic reader's"
run 0 tail trades --fan-out dash --until-end
grep -q "registered consumer" "$ERR" && fail "consumer registered twice"
lines 51

STEP="split, merge, scale and reads across lineage"
run 0 stream split trades shardId-000000000000
has "split shardId-000000000000 of trades at hash key 85070591730234615865843651857942052864"
run 0 stream describe trades
has "shards: +3 open, 4 in all"
has "^shardId-000000000000 .* closed "
has "^shardId-000000000002 +shardId-000000000000 +- +open +0 +85070591730234615865843651857942052863 "
has "^shardId-000000000003 +shardId-000000000000 +- +open +85070591730234615865843651857942052864 "
IN="$TMP/more.json"
for i in $(seq 51 90); do printf '{"sym":"S%02d","price":%d}\n' $((i % 7)) "$i"; done >"$IN"
run 0 put trades --key sym
IN=/dev/null
run 0 tail trades --until-end
lines 91
# Every parent record comes before any record of its children.
last_parent=$(grep -n "^shardId-000000000000	" "$OUT" | tail -n1 | cut -d: -f1)
first_child=$(grep -nE "^shardId-00000000000[23]	" "$OUT" | head -n1 | cut -d: -f1)
[ -n "$first_child" ] || fail "no record read from the children"
[ "$last_parent" -lt "$first_child" ] || fail "a child was read before its parent's end"
for s in S00 S03 S05; do
  grep -F "\"sym\":\"$s\"" "$OUT" | cut -f4 | sed 's/.*"price":\([0-9]*\).*/\1/' >"$TMP/p"
  sort -n -c "$TMP/p" 2>/dev/null || fail "records of key $s out of order across the split"
done
run 0 tail trades --fan-out dash --until-end
lines 91
run 2 stream split trades shardId-000000000002 --at 12x
run 1 stream split trades shardId-000000000000
run 1 stream merge trades shardId-000000000002 shardId-000000000001
run 0 stream merge trades shardId-000000000002 shardId-000000000003
has "merged shardId-000000000002 and shardId-000000000003 of trades"
run 0 stream describe trades
has "^shardId-000000000004 +shardId-000000000002 +shardId-000000000003 +open +0 +170141183460469231731687303715884105727 "
run 0 stream scale trades --shards 4
has "scaled trades to 4 open shards"
run 0 stream describe trades
has "shards: +4 open"
run 1 stream scale trades --shards 100
run 0 tail trades --until-end
lines 91

STEP="tail follow mode ends on SIGINT"
"$EDDY" tail logs --data-dir "$D" >"$OUT" 2>"$ERR" &
PID=$!
sleep 1
kill -INT "$PID"
wait "$PID"
st=$?
[ "$st" = 0 ] || fail "tail exited $st after SIGINT"
lines 3

STEP="stream delete"
run 1 stream delete trades
has_err "--force"
run 0 stream delete trades --force
has "deleted stream trades"
run 0 stream list
grep -q "^trades$" "$OUT" && fail "trades still listed"
run 1 stream delete trades

STEP="throttle"
run 0 stream create limited
run 0 stream throttle limited on
run 0 stream describe limited
has "throttling: +on"
# 1,500 records in one go: a shard takes 1,000 records a second, the rest
# are refused with ProvisionedThroughputExceeded and nothing of them is written.
seq 1 1500 | sed 's/^/line /' > "$TMP/many.txt"
IN="$TMP/many.txt" run 1 put limited --format lines
has_err "ProvisionedThroughputExceeded|Rate exceeded"
run 0 tail limited --from trim_horizon --until-end
n=$(grep -c "line " "$OUT"); [ "$n" -ge 900 ] && [ "$n" -le 1200 ] || fail "$n records written under the limit"
run 0 stream throttle limited off
IN="$TMP/many.txt" run 0 put limited --format lines
run 2 stream throttle limited sometimes

STEP="demo"
"$EDDY" demo >"$OUT" 2>"$ERR" || fail "eddy demo failed"
has "stream ticker created"
has "classic reader"
has "enhanced fan-out"
has "SplitShard"
has "child shard shardId-000000000002"

echo "PASS test_cli_store"

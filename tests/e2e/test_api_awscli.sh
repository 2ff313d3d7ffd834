#!/usr/bin/env bash
# test_api_awscli.sh — end-to-end smoke test of `eddy serve` with Debian's
# AWS CLI v2 (/usr/bin/aws): create + wait, describe, put-record,
# put-records, every iterator type, split/merge with get-records across
# them, retention, tags, consumers, the error types, and a restart that
# keeps the data. Env: EDDY_BIN. Needs jq-free JSON parsing: uses python3.
set -euo pipefail

: "${EDDY_BIN:?EDDY_BIN is not set}"
AWS=/usr/bin/aws
[ -x "$AWS" ] || AWS=$(command -v aws)
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
unset AWS_PROFILE AWS_SESSION_TOKEN || true

TMP=$(mktemp -d /tmp/eddy-api-awscli-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

start() {
    "$EDDY_BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" "$@" >"$TMP/out" 2>"$TMP/err" &
    PID=$!
    for _ in $(seq 100); do
        grep -q "listening on http://" "$TMP/out" 2>/dev/null && break
        sleep 0.1
    done
    PORT=$(sed -n 's|^eddy serve listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/out" | head -1)
    [ -n "$PORT" ] || { echo "server did not start"; cat "$TMP/err"; exit 1; }
}

stop() {
    kill -TERM "$PID"
    local rc=0
    wait "$PID" || rc=$?
    PID=
    [ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc after SIGTERM"; cat "$TMP/err"; exit 1; }
}

k() { "$AWS" --endpoint-url "http://127.0.0.1:$PORT" --no-cli-pager --output json kinesis "$@"; }

# json FILTER: reads JSON on stdin, prints the Python expression FILTER over `d`.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

FAILS=0
expect() {   # expect NAME WANT GOT
    if [ "$2" != "$3" ]; then echo "FAIL $1: want [$2] got [$3]"; FAILS=$((FAILS + 1)); else echo "ok   $1"; fi
}

# Runs a failing command and prints the error code the CLI reports.
err_code() { "$@" 2>&1 >/dev/null | sed -n 's/.*An error occurred (\([A-Za-z]*\)).*/\1/p' | head -1; }

start --create-delay-ms 2500
k create-stream --stream-name s1 --shard-count 2
expect "creating" CREATING "$(k describe-stream-summary --stream-name s1 | json 'd["StreamDescriptionSummary"]["StreamStatus"]')"
k wait stream-exists --stream-name s1
expect "active" ACTIVE "$(k describe-stream --stream-name s1 | json 'd["StreamDescription"]["StreamStatus"]')"
expect "shards" 2 "$(k list-shards --stream-name s1 | json 'len(d["Shards"])')"
ARN=$(k describe-stream-summary --stream-name s1 | json 'd["StreamDescriptionSummary"]["StreamARN"]')
expect "arn" "arn:aws:kinesis:us-east-1:000000000000:stream/s1" "$ARN"

# put-record / put-records (data is base64 on the CLI v2 command line)
R1=$(k put-record --stream-name s1 --partition-key pk --data "$(printf one | base64)" --explicit-hash-key 1)
SEQ1=$(echo "$R1" | json 'd["SequenceNumber"]')
expect "put shard" shardId-000000000000 "$(echo "$R1" | json 'd["ShardId"]')"
k put-records --stream-name s1 --records \
    "Data=$(printf two | base64),PartitionKey=pk,ExplicitHashKey=2" \
    "Data=$(printf three | base64),PartitionKey=pk,ExplicitHashKey=3" >"$TMP/pr"
expect "put-records failed count" 0 "$(json 'd["FailedRecordCount"]' <"$TMP/pr")"
expect "bad hash key" InvalidArgumentException \
    "$(err_code k put-records --stream-name s1 --records "Data=eA==,PartitionKey=pk,ExplicitHashKey=340282366920938463463374607431768211456")"

readall() {   # readall ITERATOR -> decoded data, one per line
    k get-records --shard-iterator "$1" | json '"\n".join(__import__("base64").b64decode(r["Data"]).decode() for r in d["Records"])'
}
it() { k get-shard-iterator --stream-name s1 --shard-id shardId-000000000000 "$@" | json 'd["ShardIterator"]'; }
expect "TRIM_HORIZON" "one two three" "$(readall "$(it --shard-iterator-type TRIM_HORIZON)" | xargs)"
expect "AT_SEQUENCE_NUMBER" "one two three" "$(readall "$(it --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number "$SEQ1")" | xargs)"
expect "AFTER_SEQUENCE_NUMBER" "two three" "$(readall "$(it --shard-iterator-type AFTER_SEQUENCE_NUMBER --starting-sequence-number "$SEQ1")" | xargs)"
LATEST=$(it --shard-iterator-type LATEST)
TS=$(( $(date +%s) + 1 ))
sleep $(python3 -c "import time; print(max(0, $TS - time.time() + 0.05))")
k put-record --stream-name s1 --partition-key pk --data "$(printf four | base64)" --explicit-hash-key 4 >/dev/null
expect "LATEST" "four" "$(readall "$LATEST" | xargs)"
expect "AT_TIMESTAMP" "four" "$(readall "$(it --shard-iterator-type AT_TIMESTAMP --timestamp "$TS")" | xargs)"

# split, then merge, and read parents before children
k split-shard --stream-name s1 --shard-to-split shardId-000000000000 --new-starting-hash-key 85070591730234615865843651857942052864
k put-record --stream-name s1 --partition-key pk --data "$(printf five | base64)" --explicit-hash-key 5 >/dev/null
k merge-shards --stream-name s1 --shard-to-merge shardId-000000000002 --adjacent-shard-to-merge shardId-000000000003
k put-record --stream-name s1 --partition-key pk --data "$(printf six | base64)" --explicit-hash-key 6 >/dev/null
ENDIT=$(k get-shard-iterator --stream-name s1 --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON | json 'd["ShardIterator"]')
k get-records --shard-iterator "$ENDIT" >"$TMP/gr"
expect "parent ends" "None" "$(json 'd.get("NextShardIterator")' <"$TMP/gr")"
expect "parent children" "shardId-000000000002 shardId-000000000003" "$(json '" ".join(sorted(c["ShardId"] for c in d["ChildShards"]))' <"$TMP/gr")"
rd() { readall "$(k get-shard-iterator --stream-name s1 --shard-id "$1" --shard-iterator-type TRIM_HORIZON | json 'd["ShardIterator"]')" | xargs; }
expect "split child" "five" "$(rd shardId-000000000002)"
expect "merged child" "six" "$(rd shardId-000000000004)"
expect "open shards" 2 "$(k describe-stream-summary --stream-name s1 | json 'd["StreamDescriptionSummary"]["OpenShardCount"]')"

# retention and tags
k increase-stream-retention-period --stream-name s1 --retention-period-hours 48
expect "retention" 48 "$(k describe-stream --stream-name s1 | json 'd["StreamDescription"]["RetentionPeriodHours"]')"
expect "decrease above" InvalidArgumentException "$(err_code k decrease-stream-retention-period --stream-name s1 --retention-period-hours 100)"
k add-tags-to-stream --stream-name s1 --tags team=data,env=test
expect "tags" "env=test team=data" "$(k list-tags-for-stream --stream-name s1 | json '" ".join(t["Key"]+"="+t["Value"] for t in d["Tags"])')"
k remove-tags-from-stream --stream-name s1 --tag-keys env
expect "tag removed" "team" "$(k list-tags-for-stream --stream-name s1 | json '" ".join(t["Key"] for t in d["Tags"])')"

# consumers
k register-stream-consumer --stream-arn "$ARN" --consumer-name c1 >/dev/null
expect "consumers" 1 "$(k list-stream-consumers --stream-arn "$ARN" | json 'len(d["Consumers"])')"
expect "delete with consumer" ResourceInUseException "$(err_code k delete-stream --stream-name s1)"

# errors
expect "not found" ResourceNotFoundException "$(err_code k describe-stream --stream-name nope)"
expect "in use" ResourceInUseException "$(err_code k create-stream --stream-name s1 --shard-count 1)"
expect "invalid argument" InvalidArgumentException "$(err_code k get-shard-iterator --stream-name s1 --shard-id shardId-000000000001 --shard-iterator-type AT_SEQUENCE_NUMBER)"
expect "validation" ValidationException "$(err_code k get-shard-iterator --stream-name s1 --shard-id 'bad id!' --shard-iterator-type LATEST)"
expect "bad iterator" InvalidArgumentException "$(err_code k get-records --shard-iterator AAAAAAAAAAEgarbage)"

# restart keeps the data
BEFORE=$(rd shardId-000000000000)
stop
start
expect "restart data" "$BEFORE" "$(rd shardId-000000000000)"
expect "restart merged" "six" "$(rd shardId-000000000004)"
expect "restart tags" "team" "$(k list-tags-for-stream --stream-name s1 | json '" ".join(t["Key"] for t in d["Tags"])')"
k delete-stream --stream-name s1 --enforce-consumer-deletion
expect "deleted" ResourceNotFoundException "$(err_code k describe-stream --stream-name s1)"
stop

[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all ok"

#!/usr/bin/env bash
# test_examples.sh — runs every examples/<name>/ application end to end and
# compares its output with examples/<name>/expected.jsonl:
#   eddy stream create, eddy put (with recorded arrival times), then
#   eddy run app.sql --drain --from trim_horizon --print ...
# An example may feed a second stream (a join's other side or a reference
# table): STREAM2, INPUT2 and optionally KEY2, TIME2, PUT_FORMAT2.
# Each example also runs with its input spread over 8 shards, which must
# give exactly the same rows (ROWTIME order does not depend on sharding).
# With EDDY_TEST_REWRITE=1 it rewrites expected.jsonl instead (review the diff).
set -uo pipefail
EDDY="${EDDY_BIN:?EDDY_BIN must point at the eddy binary}"
SRC="${EDDY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
TMP="$(mktemp -d /tmp/eddy-examples-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
fail=0; passed=0

# Drops the fields that depend on the wall clock of the run. error_stream
# rows come last, sorted: which of two errors is reported first depends on
# how records were batched, while each stream's own rows keep their order.
normalize() {
  sed -E -e 's/"ERROR_TIME":"[^"]*",?//' -e '/"ERROR_LEVEL"/ s/"ROWTIME":"[^"]*",?//' \
      ${STRIP_ROWTIME:+-e 's/"ROWTIME":"[^"]*",?//'} > "$TMP/norm.tmp"
  grep -v '"ERROR_LEVEL"' "$TMP/norm.tmp"
  grep '"ERROR_LEVEL"' "$TMP/norm.tmp" | LC_ALL=C sort
  true
}

run_one() { # dir shards out
  local dir="$1" shards="$2" out="$3" data="$TMP/data-$(basename "$1")-$2"
  rm -rf "$data"
  (
    set -e
    unset STREAM SHARDS INPUT KEY TIME PRINT PUT_FORMAT STRIP_ROWTIME STREAM2 INPUT2 KEY2 TIME2 PUT_FORMAT2 RESHARD INPUT_AFTER
    . "$dir/example.conf"
    "$EDDY" stream create "$STREAM" --shards "$shards" --data-dir "$data" >/dev/null
    args=(--data-dir "$data")
    [ -n "${KEY:-}" ] && args+=(--key "$KEY")
    [ -n "${TIME:-}" ] && args+=(--arrival-time "$TIME")
    [ -n "${PUT_FORMAT:-}" ] && args+=(--format "$PUT_FORMAT")
    # RESHARD: `eddy stream` commands (';'-separated) run between INPUT and
    # INPUT_AFTER, so that windows span the reshard; NO_RESHARD=1 puts both
    # files in one go for the reference run.
    if [ -n "${RESHARD:-}" ] && [ -z "${NO_RESHARD:-}" ]; then
      "$EDDY" put "$STREAM" "${args[@]}" < "$dir/$INPUT" 2>/dev/null
      IFS=';' read -ra steps <<< "$RESHARD"
      for step in "${steps[@]}"; do "$EDDY" stream $step --data-dir "$data" >/dev/null; done
      "$EDDY" put "$STREAM" "${args[@]}" < "$dir/$INPUT_AFTER" 2>/dev/null
    else
      cat "$dir/$INPUT" ${INPUT_AFTER:+"$dir/$INPUT_AFTER"} | "$EDDY" put "$STREAM" "${args[@]}" 2>/dev/null
    fi
    if [ -n "${STREAM2:-}" ]; then
      "$EDDY" stream create "$STREAM2" --shards "$shards" --data-dir "$data" >/dev/null
      args2=(--data-dir "$data")
      [ -n "${KEY2:-}" ] && args2+=(--key "$KEY2")
      [ -n "${TIME2:-}" ] && args2+=(--arrival-time "$TIME2")
      [ -n "${PUT_FORMAT2:-}" ] && args2+=(--format "$PUT_FORMAT2")
      "$EDDY" put "$STREAM2" "${args2[@]}" < "$dir/$INPUT2" 2>/dev/null
    fi
    "$EDDY" run "$dir/app.sql" --data-dir "$data" --drain --from trim_horizon \
        --print "$PRINT" --format jsonl --idle-timeout 100 2>"$out.err" | normalize > "$out"
  )
}

# tests/sql/apps/ holds golden tests of window and time edge cases in the
# same layout as examples/.
for dir in "$SRC"/examples/*/ "$SRC"/tests/sql/apps/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  [ -f "$dir/example.conf" ] || continue
  shards="$(. "$dir/example.conf"; echo "$SHARDS")"
  out="$TMP/$name.out"
  if ! STRIP_ROWTIME="$(. "$dir/example.conf"; echo "${STRIP_ROWTIME:-}")" run_one "$dir" "$shards" "$out"; then
    echo "FAIL $name: the run failed"; sed 's/^/  /' "$out.err" | head -20; fail=$((fail+1)); continue
  fi
  if [ -n "$(. "$dir/example.conf"; echo "${STRIP_ROWTIME:-}")" ]; then
    LC_ALL=C sort "$out" > "$out.sorted"; mv "$out.sorted" "$out"
  fi
  if [ "${EDDY_TEST_REWRITE:-}" = 1 ]; then
    cp "$out" "$dir/expected.jsonl"; echo "rewrote $name/expected.jsonl"; continue
  fi
  if [ ! -s "$dir/expected.jsonl" ]; then
    echo "FAIL $name: no expected.jsonl (run with EDDY_TEST_REWRITE=1 and review it)"; fail=$((fail+1)); continue
  fi
  if ! diff -u "$dir/expected.jsonl" "$out" > "$TMP/$name.diff"; then
    echo "FAIL $name: output differs from expected.jsonl"; head -30 "$TMP/$name.diff"; fail=$((fail+1)); continue
  fi
  out8="$TMP/$name.8.out"
  strip="$(. "$dir/example.conf"; echo "${STRIP_ROWTIME:-}")"
  # Records put without arrival times share milliseconds, and ties across
  # shards follow shard order: compare such outputs as sets. So are the
  # outputs of several printed streams: each stream's rows keep their
  # order, but how two streams' rows interleave follows the batches.
  print="$(. "$dir/example.conf"; echo "${PRINT:-}")"
  if [ -n "$strip" ] || [[ "$print" == *,* ]]; then cmp8() { diff -q <(LC_ALL=C sort "$1") <(LC_ALL=C sort "$2"); }
  else cmp8() { diff -q "$1" "$2"; }; fi
  if ! STRIP_ROWTIME="$strip" run_one "$dir" 8 "$out8" || ! cmp8 "$out" "$out8" >/dev/null; then
    echo "FAIL $name: 8 shards give different rows"; diff -u "$out" "$out8" | head -20; fail=$((fail+1)); continue
  fi
  if [ -n "$(. "$dir/example.conf"; echo "${RESHARD:-}")" ] && { ! NO_RESHARD=1 STRIP_ROWTIME="$strip" \
      run_one "$dir" "$shards" "$out.nr" || ! cmp8 "$out" "$out.nr" >/dev/null; }; then
    echo "FAIL $name: the run without resharding gives different rows"; diff -u "$out.nr" "$out" | head -20
    fail=$((fail+1)); continue
  fi
  echo "ok   $name ($(wc -l < "$out") rows)"
  passed=$((passed+1))
done
echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$passed" -gt 0 ]

#!/usr/bin/env bash
# demo.sh — `make demo`: a SQL application on the embedded store.
# Creates a `ticker` stream, writes five minutes of stock-ticker trades with
# their recorded arrival times, and runs examples/demo/app.sql (a tumbling
# window and a sliding window) over them, printing the results as tables.
set -euo pipefail
EDDY="${1:-build/eddy}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$(mktemp -d /tmp/eddy-demo-XXXXXX)"
trap 'rm -rf "$DATA"' EXIT

echo "== eddy stream create ticker --shards 2"
"$EDDY" stream create ticker --shards 2 --data-dir "$DATA"
echo "== eddy put ticker  (600 trades, 2026-01-01 00:00:00 .. 00:04:59)"
"$EDDY" put ticker --key ticker_symbol --arrival-time ts --data-dir "$DATA" < "$ROOT/examples/ticker.jsonl"
echo "== eddy stream describe ticker"
"$EDDY" stream describe ticker --data-dir "$DATA"
echo
echo "== eddy run examples/demo/app.sql --drain"
sed -n '1,5p' "$ROOT/examples/demo/app.sql"
echo
"$EDDY" run "$ROOT/examples/demo/app.sql" --data-dir "$DATA" --drain --from trim_horizon \
    --print SECTOR_SUMMARY,PRICE_ALERTS --format table
echo
echo "Try it yourself: $EDDY repl --memory   (then \\help), or see README.md."

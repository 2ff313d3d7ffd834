#!/usr/bin/env bash
# test_api_js.sh — `eddy serve` under the JavaScript SDK v3 (@aws-sdk/client-kinesis)
# and its default HTTP/2 handler (h2c with prior knowledge): runs
# tests/e2e/js/kinesis_h2.mjs. The SDK is installed once with npm into
# $EDDY_BINARY_DIR/js-cache. Env: EDDY_BIN, EDDY_SOURCE_DIR, EDDY_BINARY_DIR.
set -euo pipefail

: "${EDDY_BIN:?EDDY_BIN is not set}"
SRC=${EDDY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE=${EDDY_BINARY_DIR:-/tmp}/js-cache
command -v node >/dev/null || { echo "FAIL: node is not installed"; exit 1; }
if [ ! -d "$CACHE/node_modules/@aws-sdk/client-kinesis" ]; then
    mkdir -p "$CACHE"
    npm install --silent --no-audit --no-fund --prefix "$CACHE" @aws-sdk/client-kinesis
fi

TMP=$(mktemp -d /tmp/eddy-api-js-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

"$EDDY_BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 100); do
    grep -q "listening on http://" "$TMP/out" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's|^eddy serve listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/out" | head -1)
[ -n "$PORT" ] || { echo "FAIL: server did not start"; cat "$TMP/err"; exit 1; }

NODE_NO_WARNINGS=1 timeout 120 node "$SRC/tests/e2e/js/kinesis_h2.mjs" "http://127.0.0.1:$PORT" "$CACHE/node_modules"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc after SIGTERM"; cat "$TMP/err"; exit 1; }
echo "all ok"

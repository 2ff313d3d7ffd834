#!/usr/bin/env bash
# test_dashboard.sh — the dashboard page of `eddy serve` in headless Chromium.
# Starts the server ($EDDY_BIN) on a temporary data directory, feeds a stored
# stream and a pump's in-application stream from a background loop
# (dashboard/feed.py), opens http://127.0.0.1:PORT/?stream=NAME for each
# through playwright-core (dashboard/shot.js, installed once with npm into
# $EDDY_BINARY_DIR/dashboard-node), waits until rows arrive over SSE and are
# drawn, and saves screenshots: docs/dashboard.png (the in-application
# stream) and copies in the build directory. Skips (exit 0) only when
# Chromium is not installed.
set -uo pipefail

EDDY="${EDDY_BIN:-build/eddy}"
SRC="${EDDY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
BIN_DIR="${EDDY_BINARY_DIR:-$SRC/build}"
PY="${EDDY_PYTHON3:-/usr/bin/python3}"
HERE="$SRC/tests/e2e/dashboard"

CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$CHROMIUM" ]; then
  echo "skipped: chromium not installed"
  exit 0
fi
[ -x "$EDDY" ] || { echo "FAIL: eddy binary not found at $EDDY (set EDDY_BIN)"; exit 1; }
command -v node >/dev/null || { echo "FAIL: node is needed to drive Chromium (Debian nodejs)"; exit 1; }

# playwright-core, cached in the build directory.
NODE_DIR="$BIN_DIR/dashboard-node"
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
  mkdir -p "$NODE_DIR"
  if ! npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent playwright-core@1 >"$NODE_DIR/npm.log" 2>&1; then
    echo "FAIL: npm install playwright-core failed:"; tail -20 "$NODE_DIR/npm.log"; exit 1
  fi
fi

TMP="$(mktemp -d /tmp/eddy-e2e-dash-XXXXXX)"
SERVER_PID="" FEED_PID=""
cleanup() {
  [ -n "$FEED_PID" ] && kill "$FEED_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  echo "--- server stderr:"; tail -20 "$TMP/server.err" 2>/dev/null
  echo "--- feed:"; tail -5 "$TMP/feed.log" 2>/dev/null
  exit 1
}

"$EDDY" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do
  grep -q "listening on http://" "$TMP/server.out" 2>/dev/null && break
  sleep 0.1
done
PORT="$(sed -n 's#^eddy serve listening on http://[^:]*:\([0-9]*\)$#\1#p' "$TMP/server.out" | head -1)"
[ -n "$PORT" ] || fail "the server did not start"

"$PY" "$HERE/feed.py" "$PORT" 40 >"$TMP/feed.log" 2>&1 &
FEED_PID=$!
sleep 1
kill -0 "$FEED_PID" 2>/dev/null || fail "the feeder stopped early"

shoot() {   # shoot STREAM OUT.png
  local out
  out="$(cd "$NODE_DIR" && NODE_PATH="$NODE_DIR/node_modules" node "$HERE/shot.js" \
          "http://127.0.0.1:$PORT/?stream=$1" "$2" "$CHROMIUM" 2>"$TMP/shot.err")" \
    || { cat "$TMP/shot.err"; fail "the page did not show rows of $1"; }
  echo "$1: $out"
  "$PY" - "$1" "$out" <<'PYEOF' || fail "the page of $1 is not as expected"
import json, sys
name, seen = sys.argv[1], json.loads(sys.argv[2])
problems = []
if seen["rows"] < 15: problems.append("fewer than 15 rows received")
if seen["tableRows"] < 5: problems.append("the latest-rows table is nearly empty")
if not any(l.startswith("PRICE") or l.startswith("price") for l in seen["legend"]): problems.append("no price series in the legend")
if name not in seen["streams"] or "PRICES" not in seen["streams"] or "ticks" not in seen["streams"]:
    problems.append("the stream list misses streams: %s" % seen["streams"])
if not seen["selected"].startswith(name): problems.append("the stream is not selected")
if seen["chartPixels"] < 2000: problems.append("the chart is blank")
if seen["errors"]: problems.append("page errors: %s" % seen["errors"])
if problems:
    print("; ".join(problems))
    sys.exit(1)
PYEOF
}

shoot ticks "$BIN_DIR/dashboard-ticks.png"
shoot PRICES "$BIN_DIR/dashboard.png"
[ -s "$BIN_DIR/dashboard.png" ] || fail "no screenshot"
# The picture in the docs is refreshed only on request, so a test run never
# changes the source tree.
if [ "${EDDY_UPDATE_DOCS:-}" = 1 ]; then
  cp "$BIN_DIR/dashboard.png" "$SRC/docs/dashboard.png" || fail "cannot write docs/dashboard.png"
fi
kill "$FEED_PID" 2>/dev/null; wait "$FEED_PID" 2>/dev/null; FEED_PID=""
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=""
[ "$rc" = 0 ] || fail "the server exited with $rc after SIGTERM"
echo "screenshots: $BIN_DIR/dashboard.png $BIN_DIR/dashboard-ticks.png"
echo "PASS"

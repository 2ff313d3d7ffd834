#!/usr/bin/env bash
# demo.sh — `make demo`: runs the example on the embedded store.
set -euo pipefail
EDDY="${1:-build/eddy}"
exec "$EDDY" demo

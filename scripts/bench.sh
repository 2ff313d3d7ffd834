#!/usr/bin/env bash
# bench.sh — `make bench`: runs every benchmark program built under BUILD/bench.
set -euo pipefail
BUILD="${1:-build}"
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done

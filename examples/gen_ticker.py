#!/usr/bin/env python3
"""Writes deterministic stock-ticker records like the AWS demo stream's
(ticker_symbol, sector, change, price) plus an arrival time field "ts"
(epoch ms) that `eddy put --arrival-time ts` uses, so that every run of an
example sees the same ROWTIMEs. Usage: gen_ticker.py N STEP_MS [SEED]"""
import json
import random
import sys

TICKERS = [("AMZN", "TECHNOLOGY", 180.0), ("MSFT", "TECHNOLOGY", 410.0),
           ("JNJ", "HEALTHCARE", 155.0), ("PFE", "HEALTHCARE", 28.0),
           ("XOM", "ENERGY", 110.0), ("CVX", "ENERGY", 150.0),
           ("JPM", "FINANCIAL", 195.0), ("WMT", "RETAIL", 60.0)]
BASE_MS = 1767225600000  # 2026-01-01T00:00:00Z

def main():
    n = int(sys.argv[1])
    step = int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    prices = {t: p for t, _, p in TICKERS}
    for i in range(n):
        sym, sector, _ = TICKERS[rnd.randrange(len(TICKERS))]
        change = round(rnd.uniform(-2.5, 2.5), 2)
        prices[sym] = round(max(1.0, prices[sym] + change), 2)
        rec = {"ticker_symbol": sym, "sector": sector, "change": change,
               "price": prices[sym], "ts": BASE_MS + i * step}
        print(json.dumps(rec, separators=(",", ":")))

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""feed.py PORT SECONDS — data for the dashboard test: creates the stored
stream "ticks" (2 shards) and the in-application stream "AVG_PRICE" (a pump
over it) through eddy's HTTP API, then puts a few ticker records every
100 ms for SECONDS seconds. Standard library only."""
import base64
import http.client
import json
import math
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])


def post(path, body, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        sys.exit("%s: %d %s" % (path, r.status, data[:300]))
    return data


def kinesis(op, payload):
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return post("/", json.dumps(payload).encode(), {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Kinesis_20131202." + op,
        "X-Amz-Date": stamp,
        "Authorization": "AWS4-HMAC-SHA256 Credential=x/%s/us-east-1/kinesis/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=00" % stamp[:8]})


kinesis("CreateStream", {"StreamName": "ticks", "ShardCount": 2})
post("/v1/sql", b"""
CREATE OR REPLACE STREAM "SRC" (sym VARCHAR(8), price DOUBLE, volume INTEGER)
  WITH (source = 'ticks', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM "PRICES" (sym VARCHAR(8), price DOUBLE, volume INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "PRICES" SELECT STREAM sym, price, volume FROM "SRC" WHERE sym = 'ACME';
""", {})
n, end = 0, time.time() + seconds
while time.time() < end:
    recs = []
    for sym, base in (("ACME", 100.0), ("INIT", 40.0)):
        doc = {"sym": sym, "price": round(base + 8 * math.sin(n / 7.0) + (n % 3), 2), "volume": int(60 + 15 * math.cos(n / 5.0))}
        recs.append({"Data": base64.b64encode(json.dumps(doc).encode()).decode(), "PartitionKey": sym})
    kinesis("PutRecords", {"StreamName": "ticks", "Records": recs})
    n += 1
    time.sleep(0.1)

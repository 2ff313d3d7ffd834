#!/usr/bin/env python3
"""test_api_boto3.py — end-to-end test of `eddy serve` driven by boto3 (HTTP/1.1).

Starts the server on a free loopback port with a temporary data directory and
checks: CreateStream with CREATING -> ACTIVE and the waiter, describe/list
calls with pagination and filters, PutRecord/PutRecords (with injected,
seeded per-entry failures), every iterator type, GetRecords across a split
and a merge (parents before children), retention, tags, consumers and
SubscribeToShard receiving records put after it started, each error type,
raw-protocol corners (health, 403 XML, SerializationException,
UnknownOperation, CBOR with the millisecond timestamp quirk), and that data
survives a SIGTERM + restart. Env: EDDY_BIN (required).
"""
import base64
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    # The interpreter on PATH may lack Debian's python3-boto3; use Debian's.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

EDDY = os.environ.get("EDDY_BIN")
if not EDDY:
    sys.exit("EDDY_BIN is not set")

os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1")
for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(k, None)

FAILS = []


class Server:
    def __init__(self, data_dir, *extra):
        self.proc = subprocess.Popen(
            [EDDY, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline() if ready else ""
        if "listening on http://" not in line:
            self.proc.kill()
            raise RuntimeError("server did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on SIGTERM")
            assert rc == 0, "exit status %d after SIGTERM: %s" % (rc, self.proc.stderr.read())

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def client(srv):
    cfg = botocore.config.Config(retries={"max_attempts": 1}, read_timeout=30)
    return boto3.client("kinesis", endpoint_url=srv.url, config=cfg)


def raw(srv, op, body, content_type="application/x-amz-json-1.1", auth=True, method="POST"):
    """A hand-made request; returns (status, headers, body bytes)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(srv.url + "/", data=data if method == "POST" else None, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if op:
        req.add_header("X-Amz-Target", "Kinesis_20131202." + op)
    if auth:
        req.add_header("Authorization", "AWS4-HMAC-SHA256 Credential=x/20240101/us-east-1/kinesis/aws4_request, "
                                        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
        req.add_header("X-Amz-Date", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def error_code(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, None


def check(name, cond, detail=""):
    if not cond:
        FAILS.append("%s %s" % (name, detail))
        print("FAIL", name, detail)


def read_shard(kc, stream, shard, limit=10000):
    """Reads a shard from TRIM_HORIZON to its end or to an empty page.
    Returns (records, child shard ids or None when still open)."""
    it = kc.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    for _ in range(100):
        r = kc.get_records(ShardIterator=it, Limit=limit)
        out += r["Records"]
        if not r.get("NextShardIterator"):
            return out, [c["ShardId"] for c in r.get("ChildShards", [])]
        if not r["Records"] and r["MillisBehindLatest"] == 0:
            return out, None
        it = r["NextShardIterator"]
    raise AssertionError("shard %s never ended" % shard)


# ---------------------------------------------------------------- the tests

def test_create_and_describe(srv, kc):
    kc.create_stream(StreamName="t1", ShardCount=2)
    st = kc.describe_stream(StreamName="t1")["StreamDescription"]["StreamStatus"]
    check("creating first", st == "CREATING", st)
    kc.get_waiter("stream_exists").wait(StreamName="t1", WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    d = kc.describe_stream(StreamName="t1")["StreamDescription"]
    check("active", d["StreamStatus"] == "ACTIVE")
    check("two shards", len(d["Shards"]) == 2, d["Shards"])
    check("hash split", d["Shards"][0]["HashKeyRange"]["EndingHashKey"] == "170141183460469231731687303715884105727")
    arn = d["StreamARN"]
    check("arn", arn == "arn:aws:kinesis:us-east-1:000000000000:stream/t1", arn)
    # raw, since older botocore models (Debian's) lack StreamARN here
    s = json.loads(raw(srv, "DescribeStreamSummary", {"StreamARN": arn})[2])["StreamDescriptionSummary"]
    check("summary by arn", s["OpenShardCount"] == 2 and s["StreamName"] == "t1", s)
    page = kc.list_shards(StreamName="t1", MaxResults=1)
    check("list_shards page", len(page["Shards"]) == 1 and "NextToken" in page, page)
    page2 = kc.list_shards(NextToken=page["NextToken"])
    check("list_shards next", [x["ShardId"] for x in page2["Shards"]] == ["shardId-000000000001"], page2)
    after = kc.list_shards(StreamName="t1", ExclusiveStartShardId="shardId-000000000000")
    check("exclusive start", len(after["Shards"]) == 1)
    code, _ = error_code(kc.list_shards, StreamName="t1", NextToken=page["NextToken"])
    check("token with name", code == "InvalidArgumentException", code)
    names = kc.list_streams()["StreamNames"]
    check("list_streams", "t1" in names, names)
    return arn


def test_put_and_iterators(srv, kc):
    r1 = kc.put_record(StreamName="t1", PartitionKey="alpha", Data=b"one")
    r2 = kc.put_record(StreamName="t1", PartitionKey="alpha", Data=b"two")
    check("same key same shard", r1["ShardId"] == r2["ShardId"])
    check("seq grows", int(r2["SequenceNumber"]) > int(r1["SequenceNumber"]))
    shard = r1["ShardId"]
    pr = kc.put_records(StreamName="t1", Records=[
        {"PartitionKey": "alpha", "Data": b"three"},
        {"PartitionKey": "k0", "Data": b"x", "ExplicitHashKey": "0"},
        {"PartitionKey": "alpha", "Data": b"four"}])
    check("put_records ok", pr["FailedRecordCount"] == 0 and len(pr["Records"]) == 3, pr)
    check("explicit hash -> shard 0", pr["Records"][1]["ShardId"] == "shardId-000000000000", pr["Records"][1])

    def get(**kw):
        it = kc.get_shard_iterator(StreamName="t1", ShardId=shard, **kw)["ShardIterator"]
        return [x["Data"] for x in kc.get_records(ShardIterator=it)["Records"]]

    th = get(ShardIteratorType="TRIM_HORIZON")
    check("trim horizon", th[:2] == [b"one", b"two"] and b"four" in th, th)
    check("at seq", get(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=r2["SequenceNumber"])[0] == b"two")
    check("after seq", get(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=r1["SequenceNumber"])[0] == b"two")
    latest = kc.get_shard_iterator(StreamName="t1", ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    # botocore sends Timestamp as whole seconds: start on a fresh second
    mark = int(time.time()) + 1
    time.sleep(mark - time.time() + 0.05)
    kc.put_record(StreamName="t1", PartitionKey="alpha", Data=b"five")
    got = kc.get_records(ShardIterator=latest)
    check("latest sees new only", [x["Data"] for x in got["Records"]] == [b"five"], got["Records"])
    check("new iterator each call", got["NextShardIterator"] != latest)
    check("arrival ts", abs(got["Records"][0]["ApproximateArrivalTimestamp"].timestamp() - mark) < 5)
    ats = get(ShardIteratorType="AT_TIMESTAMP", Timestamp=mark)
    check("at timestamp", ats == [b"five"], ats)
    code, _ = error_code(kc.get_shard_iterator, StreamName="t1", ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
    check("at seq without seq", code == "InvalidArgumentException", code)
    code, _ = error_code(kc.put_record, StreamName="t1", PartitionKey="a", Data=b"x",
                         ExplicitHashKey="340282366920938463463374607431768211456")
    check("bad explicit hash key", code == "InvalidArgumentException", code)


def set_faults(srv, **kw):
    st, _, body = raw(srv, "EddySetFaults", kw)
    assert st == 200, body


def test_faults(srv, kc):
    recs = [{"PartitionKey": "p%d" % i, "Data": b"f"} for i in range(40)]
    patterns = []
    for _ in range(2):
        set_faults(srv, StreamName="t1", ErrorRate=0.5, ErrorType="ProvisionedThroughputExceeded", Seed=42)
        r = kc.put_records(StreamName="t1", Records=recs)
        patterns.append([("ErrorCode" in x) for x in r["Records"]])
        check("some failed", 0 < r["FailedRecordCount"] < 40, r["FailedRecordCount"])
        bad = [x for x in r["Records"] if "ErrorCode" in x]
        check("error code", bad and bad[0]["ErrorCode"] == "ProvisionedThroughputExceededException", bad[:1])
    check("deterministic under the seed", patterns[0] == patterns[1])
    set_faults(srv, StreamName="t1", ErrorRate=1.0, ErrorType="InternalFailure", Seed=1)
    code, _ = error_code(kc.put_record, StreamName="t1", PartitionKey="a", Data=b"x")
    check("injected InternalFailure", code == "InternalFailure", code)
    set_faults(srv, StreamName="t1", LatencyMs=300, Seed=1)
    t0 = time.time()
    kc.put_record(StreamName="t1", PartitionKey="a", Data=b"slow")
    check("injected latency", time.time() - t0 >= 0.28, time.time() - t0)
    set_faults(srv, StreamName="t1", ErrorRate=0, LatencyMs=0)
    r = kc.put_records(StreamName="t1", Records=recs)
    check("faults cleared", r["FailedRecordCount"] == 0)


def test_reshard(srv, kc):
    kc.create_stream(StreamName="t2", ShardCount=1)
    kc.get_waiter("stream_exists").wait(StreamName="t2", WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    for i in range(5):
        kc.put_record(StreamName="t2", PartitionKey="a%d" % i, Data=b"A%d" % i)
    kc.split_shard(StreamName="t2", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2 ** 127))
    code, _ = error_code(kc.split_shard, StreamName="t2", ShardToSplit="shardId-000000000000",
                         NewStartingHashKey=str(2 ** 126))
    check("split twice", code in ("InvalidArgumentException", "ResourceInUseException"), code)
    for i in range(5):
        kc.put_record(StreamName="t2", PartitionKey="b%d" % i, Data=b"B%d" % i)
    kc.merge_shards(StreamName="t2", ShardToMerge="shardId-000000000001", AdjacentShardToMerge="shardId-000000000002")
    for i in range(5):
        kc.put_record(StreamName="t2", PartitionKey="c%d" % i, Data=b"C%d" % i)
    parent, kids = read_shard(kc, "t2", "shardId-000000000000")
    check("parent data", sorted(x["Data"] for x in parent) == [b"A%d" % i for i in range(5)], parent)
    check("parent children", sorted(kids or []) == ["shardId-000000000001", "shardId-000000000002"], kids)
    mid = []
    for sid in ("shardId-000000000001", "shardId-000000000002"):
        recs, kids2 = read_shard(kc, "t2", sid)
        mid += recs
        check("merge child of " + sid, kids2 == ["shardId-000000000003"], kids2)
    check("split children data", sorted(x["Data"] for x in mid) == [b"B%d" % i for i in range(5)], mid)
    last, kids3 = read_shard(kc, "t2", "shardId-000000000003")
    check("merged data", sorted(x["Data"] for x in last) == [b"C%d" % i for i in range(5)] and kids3 is None)
    shards = kc.list_shards(StreamName="t2", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    check("AT_LATEST filter", [s["ShardId"] for s in shards] == ["shardId-000000000003"], shards)
    allsh = kc.list_shards(StreamName="t2")["Shards"]
    check("closed shards listed", len(allsh) == 4 and "EndingSequenceNumber" in allsh[0]["SequenceNumberRange"])
    u = kc.update_shard_count(StreamName="t2", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    check("update shard count", u["CurrentShardCount"] == 1 and u["TargetShardCount"] == 2 and u["StreamName"] == "t2", u)
    kc.get_waiter("stream_exists").wait(StreamName="t2", WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    code, _ = error_code(kc.update_shard_count, StreamName="t2", TargetShardCount=9, ScalingType="UNIFORM_SCALING")
    check("more than double", code == "InvalidArgumentException", code)


def test_retention_tags(srv, kc):
    kc.increase_stream_retention_period(StreamName="t1", RetentionPeriodHours=48)
    check("retention 48", kc.describe_stream_summary(StreamName="t1")["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48)
    code, _ = error_code(kc.decrease_stream_retention_period, StreamName="t1", RetentionPeriodHours=72)
    check("decrease above", code == "InvalidArgumentException", code)
    kc.decrease_stream_retention_period(StreamName="t1", RetentionPeriodHours=24)
    kc.add_tags_to_stream(StreamName="t1", Tags={"team": "data", "env": "test"})
    tags = kc.list_tags_for_stream(StreamName="t1")
    check("tags", {t["Key"]: t["Value"] for t in tags["Tags"]} == {"team": "data", "env": "test"} and not tags["HasMoreTags"], tags)
    kc.remove_tags_from_stream(StreamName="t1", TagKeys=["env"])
    check("tag removed", [t["Key"] for t in kc.list_tags_for_stream(StreamName="t1")["Tags"]] == ["team"])
    m = kc.enable_enhanced_monitoring(StreamName="t1", ShardLevelMetrics=["IncomingBytes"])
    check("monitoring", m["DesiredShardLevelMetrics"] == ["IncomingBytes"], m)


def test_consumers_and_subscribe(srv, kc, arn):
    c = kc.register_stream_consumer(StreamARN=arn, ConsumerName="c1")["Consumer"]
    carn = c["ConsumerARN"]
    for _ in range(50):
        d = kc.describe_stream_consumer(ConsumerARN=carn)["ConsumerDescription"]
        if d["ConsumerStatus"] == "ACTIVE":
            break
        time.sleep(0.1)
    check("consumer active", d["ConsumerStatus"] == "ACTIVE", d)
    check("consumer stream arn", d["StreamARN"] == arn)
    code, _ = error_code(kc.register_stream_consumer, StreamARN=arn, ConsumerName="c1")
    check("duplicate consumer", code == "ResourceInUseException", code)
    sub = kc.subscribe_to_shard(ConsumerARN=carn, ShardId="shardId-000000000001",
                                StartingPosition={"Type": "LATEST"})
    got, done = [], threading.Event()

    def reader():
        try:
            for ev in sub["EventStream"]:
                e = ev.get("SubscribeToShardEvent")
                if e:
                    got.extend(r["Data"] for r in e["Records"])
                    if len(got) >= 3:
                        break
        finally:
            done.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.3)
    for i in range(3):
        kc.put_record(StreamName="t1", PartitionKey="sub", Data=b"live%d" % i,
                      ExplicitHashKey=str(2 ** 127 + 5))
    done.wait(15)
    check("subscription pushed records", got == [b"live0", b"live1", b"live2"], got)

    # Takeover: a second subscription of the consumer to the shard ends the first cleanly.
    def drain(resp, events, errors, finished):
        try:
            for ev in resp["EventStream"]:
                events.append(ev)
        except Exception as e:   # noqa: BLE001 - reported below
            errors.append(e)
        finished.set()

    ev_a, err_a, end_a = [], [], threading.Event()
    sub_a = kc.subscribe_to_shard(ConsumerARN=carn, ShardId="shardId-000000000001",
                                  StartingPosition={"Type": "LATEST"})
    threading.Thread(target=drain, args=(sub_a, ev_a, err_a, end_a), daemon=True).start()
    time.sleep(0.3)
    ev_b, err_b, end_b = [], [], threading.Event()
    sub_b = kc.subscribe_to_shard(ConsumerARN=carn, ShardId="shardId-000000000001",
                                  StartingPosition={"Type": "TRIM_HORIZON"})
    check("takeover ends the first", end_a.wait(10) and not err_a, err_a)
    threading.Thread(target=drain, args=(sub_b, ev_b, err_b, end_b), daemon=True).start()
    # End of shard: split it; the subscription gets ChildShards, then ends.
    time.sleep(0.3)
    kc.split_shard(StreamName="t1", ShardToSplit="shardId-000000000001",
                   NewStartingHashKey=str(2 ** 127 + 2 ** 126))
    check("end of shard ends the stream", end_b.wait(10) and not err_b, err_b)
    evs = [e["SubscribeToShardEvent"] for e in ev_b if "SubscribeToShardEvent" in e]
    data = [r["Data"] for e in evs for r in e["Records"]]
    check("takeover stream reads from trim horizon", data[-3:] == [b"live0", b"live1", b"live2"], data)
    check("child shards at the end", evs and sorted(c["ShardId"] for c in evs[-1].get("ChildShards", [])) ==
          ["shardId-000000000002", "shardId-000000000003"], evs[-1:] if evs else None)
    for i in range(2, 21):
        kc.register_stream_consumer(StreamARN=arn, ConsumerName="c%d" % i)
    code, _ = error_code(kc.register_stream_consumer, StreamARN=arn, ConsumerName="c21")
    check("21st consumer", code == "LimitExceededException", code)
    lst = kc.list_stream_consumers(StreamARN=arn, MaxResults=15)
    check("list consumers page", len(lst["Consumers"]) == 15 and "NextToken" in lst)
    rest = kc.list_stream_consumers(StreamARN=arn, NextToken=lst["NextToken"])
    check("list consumers rest", len(rest["Consumers"]) == 5, len(rest["Consumers"]))
    code, _ = error_code(kc.delete_stream, StreamName="t1")
    check("delete with consumers", code == "ResourceInUseException", code)
    for i in range(2, 21):
        kc.deregister_stream_consumer(StreamARN=arn, ConsumerName="c%d" % i)
    code, _ = error_code(kc.subscribe_to_shard, ConsumerARN=carn.replace("c1:", "nope:"),
                         ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"})
    check("subscribe unknown consumer", code == "ResourceNotFoundException", code)


def test_errors(srv, kc):
    code, msg = error_code(kc.describe_stream, StreamName="nope")
    check("not found", code == "ResourceNotFoundException", code)
    code, _ = error_code(kc.create_stream, StreamName="t1", ShardCount=1)
    check("in use", code == "ResourceInUseException", code)
    st, hdr, body = raw(srv, "CreateStream", {"StreamName": "bad name!", "ShardCount": 0})
    j = json.loads(body)
    check("validation", st == 400 and j["__type"] == "ValidationException" and j["message"] ==
          "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must "
          "have value greater than or equal to 1; Value 'bad name!' at 'streamName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", j)
    check("request id", len(hdr.get("x-amzn-RequestId", "")) == 36, hdr)
    st, _, body = raw(srv, "ListStreams", b"{not json")
    check("serialization", st == 400 and json.loads(body)["__type"] == "SerializationException", body)
    st, _, body = raw(srv, "Frobnicate", {})
    check("unknown op", st == 400 and json.loads(body)["__type"] == "UnknownOperationException", body)
    st, _, body = raw(srv, "ListStreams", {}, auth=False)
    check("missing auth", st == 400 and json.loads(body)["__type"] == "MissingAuthenticationTokenException", body)
    st, _, body = raw(srv, "ListStreams", {}, content_type=None)
    check("403 xml", st == 403 and b"<AccessDeniedException>" in body, (st, body))
    # GET / is the dashboard page; other methods on / are refused as AWS does.
    st, hdr, body = raw(srv, None, None, content_type=None, method="GET")
    check("GET / dashboard", st == 200 and b"<html" in body.lower(), st)
    st, _, body = raw(srv, None, None, content_type=None, method="PUT")
    check("PUT / 403", st == 403, st)
    with urllib.request.urlopen(srv.url + "/health", timeout=5) as r:
        check("health", r.status == 200 and json.loads(r.read()) == {"status": "ok"})
    code, _ = error_code(kc.get_records, ShardIterator="AAAAAAAAAAEbogus")
    check("bad iterator", code == "InvalidArgumentException", code)


def cbor_enc(v):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | info]) + struct.pack(fmt, n)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor_enc(k) + cbor_enc(x) for k, x in v.items())
    if isinstance(v, tuple) and v[0] == "tag1":
        return b"\xc1" + b"\x1b" + struct.pack(">Q", v[1])
    return head(0, v)


def test_cbor(srv, kc):
    ct = "application/x-amz-cbor-1.1"
    before_ms = int(time.time() * 1000) - 50
    st, hdr, body = raw(srv, "PutRecord", cbor_enc({"StreamName": "t1", "PartitionKey": "cb", "ExplicitHashKey": "0",
                                                       "Data": b"\x00cbor\xff"}), ct)
    check("cbor put", st == 200 and hdr.get("Content-Type") == ct and b"SequenceNumber" in body, (st, body))
    st, _, body = raw(srv, "GetShardIterator", cbor_enc({
        "StreamName": "t1", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
        "Timestamp": ("tag1", before_ms)}), ct)
    check("cbor iterator", st == 200 and body[:1] == b"\xa1", body)
    it = body[body.index(b"ShardIterator") + len(b"ShardIterator"):]
    # text string head, then the token
    n = it[0] & 31
    off = 1
    if n == 24:
        n, off = it[1], 2
    elif n == 25:
        n, off = struct.unpack(">H", it[1:3])[0], 3
    token = it[off:off + n].decode()
    st, _, body = raw(srv, "GetRecords", cbor_enc({"ShardIterator": token}), ct)
    check("cbor data is a byte string", st == 200 and b"\x46\x00cbor\xff" in body, body[:200])
    check("cbor arrival is tag 1 ms", b"ApproximateArrivalTimestamp\xc1\x1b" in body, body[:300])
    st, _, body = raw(srv, "DescribeStream", cbor_enc({"StreamName": "nope"}), ct)
    check("cbor error", st == 400 and b"ResourceNotFoundException" in body, body)


def test_auth(tmp):
    keyfile = os.path.join(tmp, "keys")
    with open(keyfile, "w") as f:
        f.write("# access-key-id secret\nAKIDEDDY s3cr3t/key\n")
    srv = Server(os.path.join(tmp, "authdata"), "--auth", keyfile)
    try:
        cfg = botocore.config.Config(retries={"max_attempts": 1})
        good = boto3.client("kinesis", endpoint_url=srv.url, config=cfg, aws_access_key_id="AKIDEDDY",
                            aws_secret_access_key="s3cr3t/key")
        good.create_stream(StreamName="a1", ShardCount=1)
        good.put_record(StreamName="a1", PartitionKey="k", Data=b"signed")
        check("auth: signed requests pass", good.list_streams()["StreamNames"] == ["a1"])
        bad = boto3.client("kinesis", endpoint_url=srv.url, config=cfg, aws_access_key_id="AKIDEDDY",
                           aws_secret_access_key="wrong")
        code, msg = error_code(bad.list_streams)
        check("auth: wrong secret", code == "InvalidSignatureException", (code, msg))
        other = boto3.client("kinesis", endpoint_url=srv.url, config=cfg, aws_access_key_id="SOMEONE",
                             aws_secret_access_key="x")
        code, msg = error_code(other.list_streams)
        check("auth: unknown key", code == "UnrecognizedClientException", (code, msg))
        wrong_region = boto3.client("kinesis", endpoint_url=srv.url, config=cfg, region_name="eu-west-1",
                                    aws_access_key_id="AKIDEDDY", aws_secret_access_key="s3cr3t/key")
        code, _ = error_code(wrong_region.list_streams)
        check("auth: wrong region", code == "InvalidSignatureException", code)
        srv.stop()
    finally:
        srv.kill()


def test_subscription_lifetime(tmp):
    srv = Server(os.path.join(tmp, "lifedata"), "--subscription-ms", "1500")
    try:
        kc = client(srv)
        kc.create_stream(StreamName="l1", ShardCount=1)
        arn = kc.describe_stream_summary(StreamName="l1")["StreamDescriptionSummary"]["StreamARN"]
        carn = kc.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]["ConsumerARN"]
        for _ in range(50):
            if kc.describe_stream_consumer(ConsumerARN=carn)["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE":
                break
            time.sleep(0.1)
        t0 = time.time()
        sub = kc.subscribe_to_shard(ConsumerARN=carn, ShardId="shardId-000000000000",
                                    StartingPosition={"Type": "TRIM_HORIZON"})
        events = list(sub["EventStream"])   # ends by itself when the lifetime is over
        took = time.time() - t0
        check("subscription lifetime", 1.2 < took < 6, took)
        first = events[0].get("SubscribeToShardEvent", {}) if events else {}
        check("first event is immediate with continuation", "ContinuationSequenceNumber" in first and
              first.get("MillisBehindLatest") == 0, events[:1])
        # The same over CBOR: event payloads are CBOR too.
        kc.put_record(StreamName="l1", PartitionKey="k", Data=b"\x01cb")
        st, hdr, body = raw(srv, "SubscribeToShard", cbor_enc({
            "ConsumerARN": carn, "ShardId": "shardId-000000000000",
            "StartingPosition": {"Type": "TRIM_HORIZON"}}), "application/x-amz-cbor-1.1")
        frames = []
        while len(body) >= 16:
            total, hlen = struct.unpack(">II", body[:8])
            frames.append((body[12:12 + hlen], body[12 + hlen:total - 4]))
            body = body[total:]
        check("cbor event stream", st == 200 and hdr.get("Content-Type") == "application/vnd.amazon.eventstream"
              and len(frames) >= 2 and not body, (st, hdr, len(frames)))
        check("cbor initial-response", frames and b"initial-response" in frames[0][0] and
              b"application/x-amz-cbor-1.1" in frames[0][0] and frames[0][1] == b"\xa0", frames[:1])
        check("cbor records event", len(frames) > 1 and b"SubscribeToShardEvent" in frames[1][0] and
              b"\x43\x01cb" in frames[1][1] and b"ApproximateArrivalTimestamp\xc1\x1b" in frames[1][1],
              frames[1:2])
        srv.stop()
    finally:
        srv.kill()


def main():
    tmp = tempfile.mkdtemp(prefix="eddy-api-boto3-")
    data = os.path.join(tmp, "data")
    srv = Server(data, "--create-delay-ms", "400")
    try:
        kc = client(srv)
        arn = test_create_and_describe(srv, kc)
        test_put_and_iterators(srv, kc)
        test_faults(srv, kc)
        test_reshard(srv, kc)
        test_retention_tags(srv, kc)
        test_consumers_and_subscribe(srv, kc, arn)
        test_errors(srv, kc)
        test_cbor(srv, kc)
        before = {s: read_shard(kc, "t1", s)[0] for s in ("shardId-000000000000", "shardId-000000000001")}
        srv.stop()
        srv = Server(data)
        kc = client(srv)
        after = {s: read_shard(kc, "t1", s)[0] for s in before}
        for s in before:
            check("restart keeps " + s, [(r["SequenceNumber"], r["Data"]) for r in before[s]] ==
                  [(r["SequenceNumber"], r["Data"]) for r in after[s]], (len(before[s]), len(after[s])))
        check("restart keeps tags", kc.list_tags_for_stream(StreamName="t1")["Tags"] == [{"Key": "team", "Value": "data"}])
        check("restart keeps consumer", len(kc.list_stream_consumers(StreamARN=arn)["Consumers"]) == 1)
        srv.stop()
        test_auth(tmp)
        test_subscription_lifetime(tmp)
    finally:
        srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()

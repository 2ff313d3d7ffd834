#!/usr/bin/env python3
"""test_http_sql.py — end-to-end test of SQL over HTTP in `eddy serve`.

Starts `$EDDY_BIN serve --listen 127.0.0.1:0 --data-dir TMP` and checks,
with the standard library only:
  - a stored stream made and filled through the Kinesis JSON API;
  - POST /v1/sql: DDL with a source binding and a pump, SHOW STREAMS, an
    error with code/line/column/caret, a SELECT STREAM refused with 400;
  - POST /v1/query: a LIMIT query from=beginning (header, then rows with
    ROWTIME first, then the end), a JSON body, and a client that disconnects
    mid-query (the running-queries gauge of /metrics goes back to 0);
  - GET /v1/streams/NAME/events for a stored and an in-application stream:
    read some events, disconnect, put more records, reconnect with
    Last-Event-ID and check the next event is the successor, with nothing
    skipped or repeated;
  - GET /metrics (Prometheus text format), /v1/streams, /v1/apps, /;
  - `--app FILE` hosting an application that writes a stored stream;
  - SIGTERM + restart: the DDL and the pump came back (SHOW STREAMS/PUMPS);
  - kill -9 + restart: a stateless hosted app resumes at its last checkpoint,
    and a tumbling one rebuilds the window it had open;
    a hosted application continues where it stopped (positions saved in the
    data directory): nothing copied twice, nothing new missed.
Env: EDDY_BIN (required), EDDY_SOURCE_DIR (for the dashboard page check).
"""
import base64
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

EDDY = os.environ.get("EDDY_BIN")
if not EDDY:
    sys.exit("EDDY_BIN is not set")
SRC_DIR = os.environ.get("EDDY_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

FAILS = []


def check(cond, what):
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        FAILS.append(what)
    return cond


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

    def conn(self, timeout=20):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.getheader("Content-Type", ""), data

    def sql(self, text):
        st, _, data = self.request("POST", "/v1/sql", text.encode())
        return st, json.loads(data)

    def kinesis(self, op, payload):
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Kinesis_20131202." + op,
            "X-Amz-Date": stamp,
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/%s/us-east-1/kinesis/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=00" % stamp[:8],
        }
        st, _, data = self.request("POST", "/", json.dumps(payload).encode(), headers)
        if st != 200:
            raise RuntimeError("%s: %d %s" % (op, st, data[:300]))
        return json.loads(data) if data else {}

    def metric(self, name):
        _, _, data = self.request("GET", "/metrics")
        for line in data.decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            print("--- server stderr:\n" + err[-3000:])
        return self.proc.returncode


def put(srv, stream, first, count):
    recs = []
    for n in range(first, first + count):
        doc = {"n": n, "sym": "S%d" % (n % 5), "price": 100.0 + n}
        recs.append({"Data": base64.b64encode(json.dumps(doc).encode()).decode(), "PartitionKey": "k%d" % n})
    out = srv.kinesis("PutRecords", {"StreamName": stream, "Records": recs})
    assert out.get("FailedRecordCount") == 0, out


class Stream:
    """A streamed response read line by line (chunked or SSE)."""

    def __init__(self, srv, method, path, body=None, headers=None):
        self.c = srv.conn(timeout=20)
        self.c.request(method, path, body=body, headers=headers or {})
        self.r = self.c.getresponse()

    def line(self):
        return self.r.readline().decode()

    def events(self, count):
        """Reads `count` SSE events; returns [(id, data)]."""
        out, ev_id, data = [], None, None
        while len(out) < count:
            line = self.line()
            if line == "":
                break
            line = line.rstrip("\n")
            if line.startswith("id: "):
                ev_id = line[4:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and data is not None:
                out.append((ev_id, json.loads(data)))
                ev_id, data = None, None
        return out

    def close(self):
        # Shut the socket so the server sees the client leave at once.
        try:
            self.c.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.r.close()
        self.c.close()


def read_records(srv, stream):
    """Every record's data of a stored stream, read from TRIM_HORIZON over the API."""
    recs = []
    for sh in srv.kinesis("ListShards", {"StreamName": stream})["Shards"]:
        it = srv.kinesis("GetShardIterator", {"StreamName": stream, "ShardId": sh["ShardId"],
                                              "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        while it:
            out = srv.kinesis("GetRecords", {"ShardIterator": it, "Limit": 10000})
            recs += [base64.b64decode(r["Data"]) for r in out["Records"]]
            if not out["Records"] and out.get("MillisBehindLatest", 0) == 0:
                break
            it = out.get("NextShardIterator")
    return recs


def count_records(srv, stream):
    return len(read_records(srv, stream))


def apps_of(srv):
    """The hosted applications of /v1/apps by name."""
    st, _, d = srv.request("GET", "/v1/apps")
    return {x["name"]: x for x in json.loads(d)["apps"]}


def wait_app(srv, name, field, n, secs=15):
    """Waits until application `name` has `field` >= n (or has failed)."""
    def pred():
        a = apps_of(srv).get(name, {})
        return a.get(field, 0) >= n or a.get("state") == "failed"
    wait_for(pred, secs)


def wait_for(pred, secs=10):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


DDL = """
CREATE OR REPLACE STREAM "SRC" (n INTEGER, sym VARCHAR(8), price DOUBLE)
  WITH (source = 'ticks', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM "DOUBLED" (n INTEGER, sym VARCHAR(8), price2 DOUBLE);
CREATE OR REPLACE PUMP "DOUBLER" AS
  INSERT INTO "DOUBLED" SELECT STREAM n, sym, price * 2 AS price2 FROM "SRC";
"""

APP = """
CREATE OR REPLACE STREAM "IN1" (n INTEGER, price DOUBLE)
  WITH (source = 'ticks', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM "OUT1" (n INTEGER, price DOUBLE) WITH (sink = 'ticks_out', format = 'json');
CREATE OR REPLACE PUMP "COPY" AS INSERT INTO "OUT1" SELECT STREAM n, price FROM "IN1" WHERE n < 1000;
"""


HOURLY = """
CREATE OR REPLACE STREAM "IN2" (n INTEGER, price DOUBLE) WITH (source = 'ticks', format = 'json', start = 'latest');
CREATE OR REPLACE STREAM "HOURLY" (c BIGINT) WITH (sink = 'ticks_hourly', format = 'json');
CREATE OR REPLACE PUMP "H" AS INSERT INTO "HOURLY"
  SELECT STREAM COUNT(*) FROM "IN2" GROUP BY STEP("IN2".ROWTIME BY INTERVAL '1' HOUR);
"""


SLIDING = """
CREATE OR REPLACE STREAM "IN3" (n INTEGER, price DOUBLE) WITH (source = 'ticks', format = 'json', start = 'latest');
CREATE OR REPLACE STREAM "RUNNING" (n INTEGER, c BIGINT) WITH (sink = 'ticks_running', format = 'json');
CREATE OR REPLACE PUMP "R" AS INSERT INTO "RUNNING"
  SELECT STREAM n, COUNT(*) OVER (RANGE INTERVAL '1' HOUR PRECEDING) FROM "IN3";
"""


def test_sql(srv):
    srv.kinesis("CreateStream", {"StreamName": "ticks", "ShardCount": 2})
    put(srv, "ticks", 0, 40)
    st, res = srv.sql(DDL)
    check(st == 200 and [r.get("message") for r in res["results"]] == ["CREATE STREAM", "CREATE STREAM", "CREATE PUMP"],
          "/v1/sql DDL with a source binding and a pump: %d %s" % (st, res))
    st, res = srv.sql("SHOW STREAMS;")
    names = [row[0] for row in res["results"][0]["rows"]] if st == 200 else []
    check("SRC" in names and "DOUBLED" in names, "SHOW STREAMS lists the new streams: %s" % names)
    check(res["results"][0]["columns"][0] == {"name": "NAME", "type": "VARCHAR"}, "result columns have name and type")

    st, res = srv.sql('SHOW STREAMS;\nSELECT STREAM n,\n  nosuch FROM "SRC";')
    check(st == 400, "/v1/sql refuses SELECT STREAM with 400")
    check("/v1/query" in json.dumps(res), "the refusal points at /v1/query: %s" % res)

    st, res = srv.sql('CREATE STREAM "BAD" (a INTEGER);\nCREATE PUMP "BP" AS INSERT INTO "BAD"\n  SELECT STREAM prce FROM "SRC";')
    e = res.get("error", {})
    check(st == 400 and e.get("code") == "semantic_error", "semantic error: 400 semantic_error (%d %s)" % (st, e))
    check(e.get("line") == 3 and e.get("column") == 17, "error line/column 3:17 (%s:%s)" % (e.get("line"), e.get("column")))
    caret = e.get("caret", "")
    check(caret.startswith("ERROR: ") and "LINE 3:   SELECT STREAM prce" in caret and "^~~~" in caret,
          "caret text rendered: %r" % caret)
    # The caret sits under the column of the error.
    lines = caret.split("\n")
    if len(lines) >= 3:
        check(lines[2].index("^") == len("LINE 3: ") + 16, "caret under the name: %r" % lines[2])

    st, res = srv.sql("CREATE STREAM (")
    check(st == 400 and res["error"]["code"] == "syntax_error" and res["error"]["line"] == 1,
          "syntax error: 400 syntax_error with a position (%s)" % res)
    st, _, _ = srv.request("POST", "/v1/sql", b"")
    check(st == 400, "empty /v1/sql body: 400")


def test_query(srv):
    s = Stream(srv, "POST", "/v1/query?from=beginning", b'SELECT STREAM n, sym, price FROM "SRC" LIMIT 5')
    if s.r.status == 400:
        body = s.r.read().decode()
        s.close()
        check(False, "/v1/query with LIMIT: the engine refused it: %s" % body[:200])
    else:
        check(s.r.status == 200, "/v1/query LIMIT: 200 (%d)" % s.r.status)
        head = json.loads(s.line() or "{}")
        cols = [c["name"] for c in head.get("columns", [])]
        check(cols == ["ROWTIME", "N", "SYM", "PRICE"], "query header names ROWTIME first: %s" % cols)
        check(cols and head["columns"][1]["type"] == "INTEGER", "query header has types: %s" % head.get("columns"))
        rows = []
        while True:
            line = s.line()
            if not line:
                break
            rows.append(json.loads(line))
        s.close()
        check(len(rows) == 5, "LIMIT 5 gives 5 rows then the stream ends (%d)" % len(rows))
        check(all(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$", r[0]) for r in rows), "rows start with ROWTIME")
        check(all(isinstance(r[1], int) and isinstance(r[3], (int, float)) for r in rows),
              "numbers are JSON numbers: %s" % rows[:2])
        check(wait_for(lambda: srv.metric("eddy_running_queries") == 0), "a query ended by LIMIT frees its worker")

    # A JSON body with "from"; the client reads 3 rows and leaves.
    s = Stream(srv, "POST", "/v1/query", json.dumps({"sql": 'SELECT STREAM n, price2 FROM "DOUBLED"', "from": "beginning"}).encode())
    head = json.loads(s.line() or "{}")
    rows = [json.loads(s.line()) for _ in range(3)]
    s.close()
    check([c["name"] for c in head.get("columns", [])] == ["ROWTIME", "N", "PRICE2"] and
          [r[1] for r in rows] == [rows[0][1], rows[1][1], rows[2][1]] and rows[0][2] == 2 * (100.0 + rows[0][1]),
          "JSON body with from=beginning reads the pump's output: %s %s" % (head, rows))

    # A client that leaves mid-query: its worker must end.
    check(wait_for(lambda: srv.metric("eddy_running_queries") == 0), "the earlier queries' workers ended")
    s = Stream(srv, "POST", "/v1/query?from=beginning", b'SELECT STREAM n FROM "SRC"')
    got = [s.line() for _ in range(11)]
    check(all(got), "an unbounded query streams rows")
    check(wait_for(lambda: srv.metric("eddy_running_queries") == 1), "running-queries gauge is 1 while it runs")
    s.close()
    check(wait_for(lambda: srv.metric("eddy_running_queries") == 0), "after the client left, no query runs")

    # A slow client: the worker must wait for it (bounded queues), and
    # nothing may be lost.
    srv.kinesis("CreateStream", {"StreamName": "big", "ShardCount": 1})
    pad = "x" * 1000
    for first in range(0, 3000, 500):
        recs = [{"Data": base64.b64encode(json.dumps({"n": n, "pad": pad}).encode()).decode(), "PartitionKey": "k"}
                for n in range(first, first + 500)]
        srv.kinesis("PutRecords", {"StreamName": "big", "Records": recs})
    st, _ = srv.sql("""CREATE STREAM "BIG" (n INTEGER, pad VARCHAR(1100)) WITH (source = 'big', format = 'json');""")
    s = Stream(srv, "POST", "/v1/query?from=beginning", b'SELECT STREAM n, pad FROM "BIG"')
    s.c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    time.sleep(1.5)   # the worker has produced what the bounds allow, then waits
    head = json.loads(s.line())
    ns = [json.loads(s.line())[1] for _ in range(3000)]
    s.close()
    check(ns == list(range(3000)), "a slow client gets all 3000 rows (3 MB) in order")

    st, _, data = srv.request("POST", "/v1/query", b'CREATE STREAM "Q" (a INTEGER)')
    check(st == 400 and b"/v1/sql" in data, "/v1/query refuses DDL: %d %s" % (st, data[:200]))
    st, _, data = srv.request("POST", "/v1/query", b'SELECT STREAM nope FROM "SRC"')
    check(st == 400 and json.loads(data)["error"]["code"] == "semantic_error", "a bad query gets 400 before streaming")
    st, _, _ = srv.request("POST", "/v1/query?from=sideways", b'SELECT STREAM n FROM "SRC"')
    check(st == 400, "a bad from= gets 400")


def sse_resume(srv, name, key, total_before):
    """Reads 7 events, leaves, puts 10 records, resumes with Last-Event-ID."""
    full = Stream(srv, "GET", "/v1/streams/%s/events" % name)
    check(full.r.getheader("Content-Type", "").startswith("text/event-stream"), name + ": text/event-stream")
    reference = full.events(total_before)
    full.close()
    check(len(reference) == total_before and all(i for i, _ in reference), "%s: %d events with ids" % (name, len(reference)))

    first = Stream(srv, "GET", "/v1/streams/%s/events" % name)
    part = first.events(7)
    first.close()
    check([d[key] for _, d in part] == [d[key] for _, d in reference[:7]], name + ": a reader sees the same order")
    last_id = part[-1][0]
    return reference, last_id


def test_sse(srv):
    ref_stored, id_stored = sse_resume(srv, "ticks", "n", 40)
    ref_app, id_app = sse_resume(srv, "DOUBLED", "N", 40)
    check(ref_app[0][1].get("ROWTIME") and "PRICE2" in ref_app[0][1], "in-application events are rows with ROWTIME")
    put(srv, "ticks", 40, 10)   # arrives while both readers are away

    for name, ref, last_id, key in (("ticks", ref_stored, id_stored, "n"), ("DOUBLED", ref_app, id_app, "N")):
        s = Stream(srv, "GET", "/v1/streams/%s/events" % name, headers={"Last-Event-ID": last_id})
        rest = s.events(43)
        s.close()
        seen = [d[key] for _, d in ref[:7]] + [d[key] for _, d in rest]
        check(seen[:40] == [d[key] for _, d in ref], name + ": resumed after Last-Event-ID, nothing skipped or repeated")
        check(sorted(seen) == list(range(50)), name + ": all 50 rows exactly once across the reconnect (%d)" % len(seen))
        # An id from the middle of the resumed part resumes again.
        mid = rest[10][0]
        s = Stream(srv, "GET", "/v1/streams/%s/events" % name, headers={"Last-Event-ID": mid})
        again = s.events(1)
        s.close()
        check(again and again[0][1][key] == rest[11][1][key], name + ": a second resume continues at the successor")

    st, _, _ = srv.request("GET", "/v1/streams/ticks/events", headers={"Last-Event-ID": "garbage"})
    check(st == 400, "a malformed Last-Event-ID gets 400")
    st, _, _ = srv.request("GET", "/v1/streams/nosuch/events")
    check(st == 404, "an unknown stream gets 404")
    check(wait_for(lambda: srv.metric("eddy_running_queries") == 0), "every feed ended after its client left")


METRIC_LINE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.eE+-]+$|'
                         r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (\+Inf|NaN)$')


def test_metrics(srv):
    st, ctype, data = srv.request("GET", "/metrics")
    text = data.decode()
    check(st == 200 and ctype.startswith("text/plain; version=0.0.4"), "/metrics content type: %s" % ctype)
    bad = [l for l in text.splitlines() if l and not l.startswith("# HELP ") and not l.startswith("# TYPE ")
           and not METRIC_LINE.match(l)]
    check(not bad, "every /metrics line parses: %s" % bad[:3])
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    check(types.get("eddy_http_request_duration_seconds") == "histogram", "latency histogram declared")
    check(re.search(r'^eddy_http_request_duration_seconds_bucket\{route="sql",le="\+Inf"\} [1-9]', text, re.M),
          "sql route histogram has samples")
    check(re.search(r'^eddy_http_request_duration_seconds_count\{route="query"\} [1-9]', text, re.M), "query route counted")
    check(re.search(r'^eddy_kinesis_requests_total\{operation="PutRecords"\} [1-9]', text, re.M), "Kinesis ops counted")
    check(re.search(r'^eddy_stream_records_in_total\{stream="ticks"\} 50$', text, re.M), "records in per stream (50)")
    check(re.search(r'^eddy_stream_records_out_total\{stream="ticks"\} [1-9]', text, re.M), "records out per stream")
    check(re.search(r'^eddy_app_rows_out_total\{app="sql"\} [1-9]', text, re.M), "per-application rows out")
    check(re.search(r'^eddy_app_error_stream_rows_total\{app="sql"\} 0$', text, re.M), "error_stream count")
    check(re.search(r'^eddy_app_millis_behind_latest\{app="sql"\} ', text, re.M), "MillisBehindLatest per app")
    check(re.search(r'^eddy_app_late_rows_total\{app="sql"\} 0$', text, re.M), "late rows dropped")
    check(re.search(r'^eddy_app_input_millis_behind_latest\{app="sql",input="[^"]+"\} [0-9]+$', text, re.M),
          "MillisBehindLatest per input")
    check(re.search(r'^eddy_app_window_state_bytes\{app="sql"\} [0-9]+$', text, re.M), "window state size")
    check(re.search(r'^eddy_running_queries 0$', text, re.M), "running queries gauge")
    # Histogram buckets are cumulative.
    b = [float(v) for v in re.findall(r'^eddy_http_request_duration_seconds_bucket\{route="sql",le="[^"]+"\} (\S+)$', text, re.M)]
    check(b == sorted(b), "buckets are cumulative")


def test_lists(srv):
    st, _, data = srv.request("GET", "/v1/streams")
    streams = {s["name"]: s for s in json.loads(data)["streams"]}
    check(streams.get("ticks", {}).get("kind") == "stored" and streams.get("DOUBLED", {}).get("kind") == "in-application",
          "/v1/streams lists stored and in-application streams")
    check(streams["DOUBLED"]["columns"][0]["name"] == "ROWTIME", "in-application streams list their columns")
    st, _, data = srv.request("GET", "/v1/apps")
    apps = json.loads(data)["apps"]
    # Counts are the running instance's: a session replaced by later DDL
    # continues where the old one stopped instead of re-reading everything.
    check(any(a["name"] == "sql" and a["state"] == "running" and a["rows_out"] >= 1 for a in apps),
          "/v1/apps shows the SQL session's pumps running: %s" % apps)
    st, ctype, page = srv.request("GET", "/")
    check(st == 200 and ctype.startswith("text/html") and b"EventSource" in page, "dashboard page at /")
    html = os.path.join(SRC_DIR, "server", "dashboard.html")
    if os.path.exists(html):
        with open(html, "rb") as f:
            check(f.read() == page, "served page equals server/dashboard.html (run server/gen_dashboard.sh)")
    st, _, _ = srv.request("GET", "/v1/nothing")
    check(st == 404, "unknown /v1 path: 404")
    st, _, data = srv.request("GET", "/health")
    check(st == 200, "the Kinesis handler still answers /health")


def crash_hosted_app(tmp, data, name, sql, sink, first, field):
    """Runs app `name` (started at LATEST, checkpointing every 200 ms) over 9
    records from `first` on, kills the server with -9 once the app has
    `field` >= 9 and some checkpoints are written, restarts it and puts 4
    more records from first + 100. Returns the restarted server."""
    path = os.path.join(tmp, name + ".sql")
    with open(path, "w") as f:
        f.write(sql)
    srv = Server(data, "--app", path, "--checkpoint-ms", "200")
    srv.kinesis("CreateStream", {"StreamName": sink, "ShardCount": 1})
    time.sleep(0.3)   # the app starts at LATEST
    put(srv, "ticks", first, 9)
    wait_app(srv, name, field, 9)
    time.sleep(1.0)   # several checkpoints
    srv.proc.kill()
    srv.proc.wait()
    srv = Server(data, "--app", path, "--checkpoint-ms", "200")
    put(srv, "ticks", first + 100, 4)
    return srv


def main():
    tmp = tempfile.mkdtemp(prefix="eddy-e2e-httpsql-")
    data = os.path.join(tmp, "data")
    srv = None
    try:
        srv = Server(data)
        test_sql(srv)
        test_query(srv)
        test_sse(srv)
        test_metrics(srv)
        test_lists(srv)
        srv.kinesis("CreateStream", {"StreamName": "ticks_out", "ShardCount": 1})   # the --app's sink
        check(srv.stop() == 0, "SIGTERM: exit 0")
        check(os.path.exists(os.path.join(data, "catalog.sql")), "catalog.sql persisted in the data directory")

        app = os.path.join(tmp, "copy.sql")
        with open(app, "w") as f:
            f.write(APP)
        srv = Server(data, "--app", app)
        st, res = srv.sql("SHOW STREAMS; SHOW PUMPS;")
        names = [r[0] for r in res["results"][0]["rows"]] if st == 200 else []
        pumps = [r[0] for r in res["results"][1]["rows"]] if st == 200 else []
        check("SRC" in names and "DOUBLED" in names and "BAD" in names, "after a restart the streams came back: %s" % names)
        check(pumps == ["DOUBLER"], "after a restart the pump came back: %s" % pumps)
        apps = apps_of(srv)
        check(apps.get("sql", {}).get("state") == "running", "the SQL session's pump runs again")
        check(apps.get("copy", {}).get("state") == "running", "--app FILE runs: %s" % apps)

        wait_app(srv, "copy", "rows_out", 50)
        a = apps_of(srv).get("copy", {})
        check(a.get("records_in") == 50 and a.get("rows_out") == 50, "the hosted app copied 50 rows: %s" % a)
        # A pump over a stored stream that does not exist: the statements
        # are accepted, and /v1/apps says why the pumps do not run.
        st, res = srv.sql("""CREATE STREAM "GHOST" (a INTEGER) WITH (source = 'no_such_stream', format = 'json');
CREATE STREAM "GHOST_OUT" (a INTEGER);
CREATE PUMP "GP" AS INSERT INTO "GHOST_OUT" SELECT STREAM a FROM "GHOST";""")
        check(st == 200 and "no_such_stream" in res.get("warning", ""), "a pump that cannot run gets a warning: %s" % res)
        a = apps_of(srv).get("sql", {})
        check(a.get("state") == "failed" and a.get("error"), "/v1/apps shows the failed session app: %s" % a)
        check(srv.stop() == 0, "SIGTERM with hosted apps: exit 0")
        check(os.path.exists(os.path.join(data, "positions", "copy.pos")), "the hosted app's positions were saved")

        # Restarted, the hosted app resumes after the 50 records it copied.
        srv = Server(data, "--app", app)
        put(srv, "ticks", 500, 7)

        wait_app(srv, "copy", "rows_out", 7)
        time.sleep(0.5)
        a = apps_of(srv).get("copy", {})
        check(a.get("records_in") == 7 and a.get("rows_out") == 7,
              "after a restart the hosted app read only the 7 new records: %s" % a)
        total = count_records(srv, "ticks_out")
        check(total == 57, "the output stream holds each copied record once: %d of 57" % total)
        check(srv.stop() == 0, "SIGTERM again: exit 0")

        # kill -9: the stateless app saved its positions while it ran, so
        # after a crash it goes on after the records it had copied, instead
        # of repeating everything since its last graceful stop.
        srv = Server(data, "--app", app, "--checkpoint-ms", "200")
        put(srv, "ticks", 600, 9)

        wait_app(srv, "copy", "rows_out", 9)
        time.sleep(1.0)   # several checkpoints
        srv.proc.kill()
        srv.proc.wait()
        srv = Server(data, "--app", app, "--checkpoint-ms", "200")
        put(srv, "ticks", 700, 4)
        wait_app(srv, "copy", "rows_out", 4)
        time.sleep(0.5)
        a = apps_of(srv).get("copy", {})
        check(a.get("records_in") == 4 and a.get("rows_out") == 4,
              "after kill -9 the hosted app read only the 4 new records: %s" % a)
        total = count_records(srv, "ticks_out")
        check(total == 70, "after kill -9 the output stream holds each copied record once: %d of 70" % total)
        check(srv.stop() == 0, "SIGTERM after the crash: exit 0")

        # kill -9 with a tumbling window open: the checkpoint names the
        # window's first records, so after the crash the window is rebuilt
        # and its row counts the records from before and after the crash.
        srv = crash_hosted_app(tmp, data, "hourly", HOURLY, "ticks_hourly", 800, "records_in")
        wait_app(srv, "hourly", "records_in", 13)
        check(srv.stop() == 0, "SIGTERM with the window open: exit 0")
        srv = Server(data)
        rows = [json.loads(r) for r in read_records(srv, "ticks_hourly")]
        check(sum(r["C"] for r in rows) == 13,
              "after kill -9 the open window counts its 9 records from before the crash and 4 after: %s" % rows)
        check(srv.stop() == 0, "SIGTERM: exit 0")

        # kill -9 with a sliding window: the records still in the window are
        # read again after the crash to rebuild it, and what they produced
        # before the crash is not written a second time.
        srv = crash_hosted_app(tmp, data, "sliding", SLIDING, "ticks_running", 1000, "rows_out")
        wait_app(srv, "sliding", "rows_out", 4)
        time.sleep(0.5)
        a = apps_of(srv).get("sliding", {})
        check(a.get("rows_out") == 4 and a.get("records_in") == 13,
              "after kill -9 the sliding app read the window's 9 records again and wrote only the 4 new rows: %s" % a)
        check(srv.stop() == 0, "SIGTERM with the sliding window: exit 0")
        srv = Server(data)
        rows = [json.loads(r) for r in read_records(srv, "ticks_running")]
        ns = sorted(r["N"] for r in rows)
        check(ns == list(range(1000, 1009)) + list(range(1100, 1104)),
              "after kill -9 each record has one sliding-window row: %s" % ns)
        after = sorted(r["C"] for r in rows if r["N"] >= 1100)
        check(after == [10, 11, 12, 13],
              "the rows after the crash count the 9 records from before it: %s" % after)
        check(srv.stop() == 0, "SIGTERM: exit 0")

        # Two files with one stem get two names (and two positions files):
        # the first keeps "copy" and its positions, the second is "copy-2".
        os.makedirs(os.path.join(tmp, "other"))
        app2 = os.path.join(tmp, "other", "copy.sql")
        with open(app2, "w") as f:
            f.write(APP)
        srv = Server(data, "--app", app, "--app", app2)
        a = apps_of(srv)
        check("copy" in a and "copy-2" in a and a["copy"]["file"] == app and a["copy-2"]["file"] == app2,
              "two --app files named copy.sql are copy and copy-2: %s" % sorted(a))
        check(srv.stop() == 0, "SIGTERM with two hosted apps: exit 0")
        check(os.path.exists(os.path.join(data, "positions", "copy-2.pos")), "copy-2 saved its own positions")

        bad = os.path.join(tmp, "bad.sql")
        with open(bad, "w") as f:
            f.write('CREATE STREAM "X" (a INTEGER);\nCREATE PUMP "P" AS INSERT INTO "X" SELECT STREAM b FROM "X";\n')
        p = subprocess.run([EDDY, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--app", bad],
                           capture_output=True, text=True, timeout=20)
        check(p.returncode != 0 and "LINE 2:" in p.stderr, "a bad --app file fails with its caret: %r" % p.stderr[-300:])
        srv = None
    finally:
        if srv is not None and srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        print("%d check(s) failed" % len(FAILS))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()

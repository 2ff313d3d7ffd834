#!/usr/bin/python3
"""test_repl_pty.py — drives a real interactive `eddy repl` through a
pseudo-terminal (pexpect, Debian python3-pexpect): the banner, a multi-line
statement, Tab completion of a stream name, \\d, a push query on records
put before the shell started (\\from beginning) interrupted with Ctrl-C while
the shell survives, PRINT, an error with its caret, Ctrl-C on a half-typed
line, persistent history and Ctrl-R search in a second session.

Env: EDDY_BIN (the built eddy). With EDDY_REPL_TRANSCRIPT=FILE the whole
terminal output of the first session is saved there (docs/repl.md quotes it).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import pexpect
except ImportError:
    print("SKIP: python3-pexpect is not installed")
    sys.exit(77)

EDDY = os.environ.get("EDDY_BIN", "build/eddy")
TIMEOUT = 20


def fail(msg, child=None):
    print("FAIL:", msg)
    if child is not None:
        print("--- last output:")
        print(child.before if isinstance(child.before, str) else "")
    sys.exit(1)


def expect(child, pattern, what):
    try:
        child.expect(pattern, timeout=TIMEOUT)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        fail("%s: did not see %r (%s)" % (what, pattern, type(e).__name__), child)


def main():
    if not os.access(EDDY, os.X_OK):
        fail("eddy binary not found at %s (set EDDY_BIN)" % EDDY)
    tmp = tempfile.mkdtemp(prefix="eddy-e2e-repl-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


def run(tmp):
    data = os.path.join(tmp, "data")
    hist = os.path.join(tmp, "history")
    subprocess.run([EDDY, "stream", "create", "trades", "--shards", "2", "--data-dir", data],
                   check=True, stdout=subprocess.DEVNULL)
    lines = "".join('{"sym":"%s","price":%d}\n' % (s, p)
                    for s, p in (("AAPL", 10), ("MSFT", 20), ("GOOG", 30)))
    subprocess.run([EDDY, "put", "trades", "--data-dir", data], input=lines.encode(),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    env = dict(os.environ, HOME=tmp, EDDY_HISTORY=hist, TERM="xterm", EDDY_LOG="error")
    log = open(os.environ.get("EDDY_REPL_TRANSCRIPT", os.devnull), "w")
    child = pexpect.spawn(EDDY, ["repl", "--data-dir", data], env=env, encoding="utf-8",
                          dimensions=(40, 200), timeout=TIMEOUT)
    child.logfile_read = log

    # The banner: version, where it is connected, how to get help.
    expect(child, r"eddy \d+\.\d+\.\d+", "banner version")
    expect(child, "data directory " + data, "banner location")
    expect(child, r"\\help", "banner hint")
    expect(child, "eddy> ", "first prompt")

    # A statement over two lines: the continuation prompt, then the result.
    child.send("CREATE STREAM trades_in (sym VARCHAR(4),\r")
    expect(child, "eddy-> ", "continuation prompt")
    child.send("  price INTEGER) WITH (source = 'trades', format = 'json');\r")
    expect(child, "CREATE STREAM", "multi-line CREATE")
    expect(child, "eddy> ", "prompt after CREATE")

    # Tab completes the stream name after DESCRIBE.
    child.send("DESCRIBE trad\t")
    # libedit redraws from the cursor: the completed tail follows the prefix.
    expect(child, r"trad[\r\x1b\[\dG]*es_in ", "completion of a stream name")
    child.send(";\r")
    expect(child, r"PRICE\s+\| INTEGER", "DESCRIBE after completion")
    expect(child, "eddy> ", "prompt after DESCRIBE")

    # \d lists in-application and stored streams.
    child.send("\\d\r")
    expect(child, r"TRADES_IN\s+\| stream", "\\d in-application stream")
    expect(child, r"trades\s+\| ACTIVE\s+\| 2", "\\d stored stream")
    expect(child, "eddy> ", "prompt after \\d")

    # A push query from the beginning shows the rows, then Ctrl-C stops it.
    child.send("\\from beginning\r")
    expect(child, "from the beginning", "\\from beginning")
    child.send("SELECT STREAM sym, price * 2 AS doubled FROM trades_in;\r")
    expect(child, "NOTICE: reading inputs from the beginning", "notice line")
    expect(child, r"SYM\s+\| DOUBLED", "push header")
    # Two shards: rows of different shards may come in any order.
    want = [r"AAPL\s+\|\s+20", r"MSFT\s+\|\s+40", r"GOOG\s+\|\s+60"]
    while want:
        try:
            i = child.expect(want, timeout=TIMEOUT)
        except (pexpect.TIMEOUT, pexpect.EOF):
            fail("push rows: still waiting for %r" % want, child)
        del want[i]
    child.sendintr()
    expect(child, r"Query stopped \(Ctrl-C\)", "Ctrl-C stops the query")
    expect(child, "eddy> ", "the shell survives Ctrl-C")
    child.send("SHOW STREAMS;\r")
    expect(child, r"TRADES_IN\s+\| stream", "statement after Ctrl-C")
    expect(child, "eddy> ", "prompt after SHOW")

    # PRINT raw records with shard, sequence number and arrival time.
    child.send("PRINT trades FROM BEGINNING LIMIT 2;\r")
    expect(child, r"SHARD\s+\| SEQUENCE_NUMBER\s+\| ARRIVAL_TIME", "PRINT header")
    expect(child, r"shardId-00000000000\d \| \d{20,}\s+\| \d{4}-\d\d-\d\dT[\d:.]+Z", "PRINT record")
    expect(child, r"\(2 rows\)", "PRINT LIMIT")
    expect(child, "eddy> ", "prompt after PRINT")

    # An error is rendered with its caret.
    child.send("SELECT STREAM *\r")
    expect(child, "eddy-> ", "continuation")
    child.send("  FORM trades_in;\r")
    expect(child, r'ERROR: syntax error at or near "FORM" \(2:3\)', "error line")
    expect(child, r"LINE 2:   FORM trades_in;\r?\n\s{10}\^~~~", "caret line")
    expect(child, "eddy> ", "prompt after error")

    # Ctrl-C on a half-typed statement drops it.
    child.send("SELECT STREAM 'unfinished\r")
    expect(child, "eddy'> ", "string continuation prompt")
    child.sendintr()
    expect(child, "eddy> ", "fresh prompt after Ctrl-C")
    child.send("\\q\r")
    child.expect(pexpect.EOF, timeout=TIMEOUT)
    child.close()
    if child.exitstatus != 0:
        fail("repl exited %s" % child.exitstatus)
    log.close()

    with open(hist, encoding="utf-8", errors="replace") as f:
        # libedit saves entries vis(3)-encoded: \040 for a space, \012 for
        # the newline of a multi-line statement.
        saved = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), f.read())
    if "CREATE STREAM trades_in (sym VARCHAR(4),\n  price INTEGER)" not in saved:
        fail("history lacks the multi-line CREATE as one entry: %r" % saved[:400])
    if "PRINT trades FROM BEGINNING LIMIT 2;" not in saved:
        fail("history lacks the PRINT statement: %r" % saved[:400])

    # A second session: Ctrl-R finds the PRINT statement in the history.
    child = pexpect.spawn(EDDY, ["repl", "--data-dir", data], env=env, encoding="utf-8",
                          dimensions=(40, 200), timeout=TIMEOUT)
    expect(child, "eddy> ", "second session prompt")
    child.send("\x12")   # Ctrl-R
    child.send("PRINT tr")
    child.send("\r")
    expect(child, r"\(2 rows\)", "Ctrl-R reran PRINT from history")
    expect(child, "eddy> ", "prompt after history search")
    child.sendeof()
    child.expect(pexpect.EOF, timeout=TIMEOUT)
    child.close()
    if child.exitstatus != 0:
        fail("second repl exited %s" % child.exitstatus)


if __name__ == "__main__":
    main()

-- A 10-second stagger window per k: it opens at the ROWTIME t0 of the
-- key's first row, holds the key's rows in [t0, t0 + 10 s), and is emitted
-- with ROWTIME t0 + 10 s. Edge cases in input.jsonl:
--   two "a" rows at 00:00:00 open one window together;
--   "a" at 00:00:09.999 joins it, "a" at 00:00:10.000 opens the next one;
--   "b" at 00:00:15.000 is exactly at the end of b's first window and opens
--   a second one;
--   NULL k rows share one window;
--   "a" at 00:00:40 opens a window that only the end of the input closes.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(8),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    k       VARCHAR(8),
    n       INTEGER,
    total   INTEGER,
    first_v INTEGER,
    last_v  INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM k, COUNT(*), SUM(v), FIRST_VALUE(v), LAST_VALUE(v)
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '10' SECOND);

-- One output row per input row, over its partition's rows (k) of the last
-- 10 seconds (RANGE) and over its partition's last 3 rows (ROWS 2 PRECEDING).
-- Edge cases in input.jsonl:
--   two "a" rows at 00:00:00: the first one's window holds only itself, the
--   second one's holds both (among equal ROWTIMEs, arrival order decides);
--   "a" at 00:00:10.000 still sees the rows at 00:00:00 (the bound is
--   inclusive), "a" at 00:00:10.001 and at 00:00:20.001 no longer do;
--   rows with a NULL k form their own partition;
--   a NULL v counts in COUNT(*) but not in SUM/AVG (AVG of INTEGER stays INTEGER).
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(8),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    k          VARCHAR(8),
    v          INTEGER,
    rows_10s   INTEGER,
    sum_10s    INTEGER,
    avg_10s    INTEGER,
    first_10s  INTEGER,
    max_10s    INTEGER,
    sum_last3  INTEGER,
    rows_last3 INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM k, v,
        COUNT(*) OVER r, SUM(v) OVER r, AVG(v) OVER r, FIRST_VALUE(v) OVER r, MAX(v) OVER r,
        SUM(v) OVER last3, COUNT(*) OVER last3
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW r AS (PARTITION BY k RANGE INTERVAL '10' SECOND PRECEDING),
           last3 AS (PARTITION BY k ROWS 2 PRECEDING);

-- Tumbling windows of 10 seconds grouped by k. Edge cases in input.jsonl:
--   three rows at exactly 00:00:00 (equal ROWTIMEs accumulate in one window);
--   rows at 00:00:09.999 (last millisecond of the first window) and at
--   00:00:10.000 (first millisecond of the second: windows are [start, end));
--   nothing between 00:00:20 and 00:00:40 (empty windows emit no row);
--   a NULL k and an absent k (one NULL group: NULLs group together);
--   a NULL v (COUNT(*) counts it, COUNT(v), SUM and MIN ignore it).
-- Each row's ROWTIME is the end of its window; win_start is the window start.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(8),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    k         VARCHAR(8),
    win_start TIMESTAMP,
    rows_all  INTEGER,
    rows_v    INTEGER,
    total     INTEGER,
    smallest  INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM k, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND),
        COUNT(*), COUNT(v), SUM(v), MIN(v)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY k, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);

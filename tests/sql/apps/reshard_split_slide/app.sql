-- A window that spans a reshard (split): the input's first half (before
-- 00:00:28) is written, the stream is resharded (see example.conf), and the
-- second half goes to the new shards. Parents are read to their end before
-- their children, so every window sees the same rows as without the
-- reshard: the runner checks that the output equals a run of the same
-- records on a stream that was never resharded.
-- SLIDING: per key, sums over the last 3 seconds and over the last 3 rows.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(4),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "SLIDING" (k VARCHAR(4), v INTEGER, sum_3s INTEGER, sum_3rows INTEGER);
CREATE OR REPLACE PUMP "SLIDE_PUMP" AS
    INSERT INTO "SLIDING"
    SELECT STREAM k, v,
        SUM(v) OVER (PARTITION BY k RANGE INTERVAL '3' SECOND PRECEDING),
        SUM(v) OVER (PARTITION BY k ROWS 2 PRECEDING)
    FROM "SOURCE_SQL_STREAM_001";

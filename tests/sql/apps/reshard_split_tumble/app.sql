-- A window that spans a reshard (split): the input's first half (before
-- 00:00:28) is written, the stream is resharded (see example.conf), and the
-- second half goes to the new shards. Parents are read to their end before
-- their children, so every window sees the same rows as without the
-- reshard: the runner checks that the output equals a run of the same
-- records on a stream that was never resharded.
-- TUMBLING: 20-second tumbling windows per key; [00:00:20, 00:00:40) spans the reshard.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(4),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "TUMBLING" (k VARCHAR(4), n INTEGER, total INTEGER);
CREATE OR REPLACE PUMP "TUMBLE_PUMP" AS
    INSERT INTO "TUMBLING"
    SELECT STREAM k, COUNT(*), SUM(v)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY k, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '20' SECOND);

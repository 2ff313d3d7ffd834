-- A window that spans a reshard (split): the input's first half (before
-- 00:00:28) is written, the stream is resharded (see example.conf), and the
-- second half goes to the new shards. Parents are read to their end before
-- their children, so every window sees the same rows as without the
-- reshard: the runner checks that the output equals a run of the same
-- records on a stream that was never resharded.
-- STAGGER: 15-second stagger windows per key; several span the reshard.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(4),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "STAGGER" (k VARCHAR(4), n INTEGER, total INTEGER);
CREATE OR REPLACE PUMP "STAGGER_PUMP" AS
    INSERT INTO "STAGGER"
    SELECT STREAM k, COUNT(*), SUM(v)
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '15' SECOND);

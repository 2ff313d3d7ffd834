-- Tumbling windows from keys that are monotonic in ROWTIME but have no
-- fixed width known to the planner: the classic SQLstream idiom for 10-second buckets,
--   FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)
-- (floor_month/ does FLOOR(ROWTIME TO MONTH), whose windows differ in length).
-- Each window's rows are emitted with ROWTIME = the window's end: the first
-- instant whose key differs (00:00:10, 00:00:20, ...), so every group of a window shares it and the
-- output stays in ROWTIME order. APPROXIMATE_ARRIVAL_TIME (the records'
-- arrival time, which is also their ROWTIME here) gives each group's first
-- and last arrival.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(8),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "BY_TEN" (k VARCHAR(8), n INTEGER, total INTEGER,
    first_arrival TIMESTAMP, last_arrival TIMESTAMP);
CREATE OR REPLACE PUMP "TEN_PUMP" AS
    INSERT INTO "BY_TEN"
    SELECT STREAM k, COUNT(*), SUM(v), MIN(APPROXIMATE_ARRIVAL_TIME), MAX(APPROXIMATE_ARRIVAL_TIME)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY k, FLOOR(("SOURCE_SQL_STREAM_001".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);

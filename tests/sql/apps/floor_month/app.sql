-- FLOOR(ROWTIME TO MONTH): windows of different lengths, whose end the
-- planner does not know as a width. Each window's rows are emitted with
-- ROWTIME = the first instant of the next month, found by probing the key,
-- when a row of a later month arrives or, for the last one, at drain.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(8),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "BY_MONTH" (k VARCHAR(8), month_start TIMESTAMP, n INTEGER, total INTEGER);
CREATE OR REPLACE PUMP "MONTH_PUMP" AS
    INSERT INTO "BY_MONTH"
    SELECT STREAM k, FLOOR(s.ROWTIME TO MONTH), COUNT(*), SUM(v)
    FROM "SOURCE_SQL_STREAM_001" AS s
    GROUP BY k, FLOOR(s.ROWTIME TO MONTH);

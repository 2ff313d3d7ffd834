-- Late data handled the way AWS recommends: group by the arrival-time
-- window (ROWTIME, which decides when rows are emitted) and by the
-- event-time window (which the reading belongs to). d2's reading of
-- 00:00:09 arrives at 00:00:11 and yields a second, partial row for the
-- event window 00:00:00 in the arrival window [00:00:10, 00:00:20); the
-- reading without event_time forms a NULL event window.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    device     VARCHAR(8),
    event_time TIMESTAMP,
    reading    DOUBLE)
WITH (source = 'readings', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "PARTIALS" (event_window TIMESTAMP, readings INTEGER, total DOUBLE);
CREATE OR REPLACE PUMP "PARTIAL_PUMP" AS
    INSERT INTO "PARTIALS"
    SELECT STREAM STEP(event_time BY INTERVAL '10' SECOND), COUNT(*), SUM(reading)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND),
             STEP(event_time BY INTERVAL '10' SECOND);

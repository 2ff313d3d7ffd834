-- Readings arrive up to a few seconds after their event_time, and not in
-- event-time order; one (d1 at 00:00:00.500, arriving at 00:00:07) is more
-- than 5 seconds late, one has no event_time at all.
--   SORTED         T-sort: rows re-ordered by event_time within 5 seconds and
--                  promoted to ROWTIME; the row more than 5 s late goes to
--                  error_stream (LATE_ROW); the NULL event_time is discarded.
--   SORTED_COUNTS  10-second tumbling windows over SORTED (event time); not
--                  printed, but it must not report its rows late.
--   PROMOTED       event_time AS ROWTIME without sorting: rows whose event
--                  time goes backwards go to error_stream (OUT_OF_ORDER), as
--                  does the NULL one (NULL_ROWTIME).
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    device     VARCHAR(8),
    event_time TIMESTAMP,
    reading    DOUBLE)
WITH (source = 'readings', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "SORTED" (device VARCHAR(8), reading DOUBLE);
CREATE OR REPLACE PUMP "SORT_PUMP" AS
    INSERT INTO "SORTED"
    SELECT STREAM event_time AS ROWTIME, device, reading
    FROM "SOURCE_SQL_STREAM_001"
    ORDER BY event_time WITHIN INTERVAL '5' SECOND;

CREATE OR REPLACE STREAM "SORTED_COUNTS" (readings INTEGER, total DOUBLE);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS
    INSERT INTO "SORTED_COUNTS"
    SELECT STREAM COUNT(*), SUM(reading)
    FROM "SORTED"
    GROUP BY STEP("SORTED".ROWTIME BY INTERVAL '10' SECOND);

CREATE OR REPLACE STREAM "PROMOTED" (device VARCHAR(8), reading DOUBLE);
CREATE OR REPLACE PUMP "PROMOTE_PUMP" AS
    INSERT INTO "PROMOTED"
    SELECT STREAM event_time AS ROWTIME, device, reading
    FROM "SOURCE_SQL_STREAM_001";

-- Streaming ORDER BY after a tumbling GROUP BY (SQL.md §3.4): each
-- 10-second window's groups come out sorted by their average change,
-- largest first; a NULL average (HEALTH, no change values) sorts as the
-- largest value; equal averages keep their arrival order. The window key
-- leads the ORDER BY, so each window is emitted as soon as it closes.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    sector VARCHAR(8), ticker VARCHAR(4), change DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (win TIMESTAMP, sector VARCHAR(8), avg_change DOUBLE, trades INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM STEP(s.ROWTIME BY INTERVAL '10' SECOND) AS win, sector, AVG(change) AS avg_change, COUNT(*)
    FROM "SOURCE_SQL_STREAM_001" AS s
    GROUP BY sector, STEP(s.ROWTIME BY INTERVAL '10' SECOND)
    ORDER BY STEP(s.ROWTIME BY INTERVAL '10' SECOND), avg_change DESC;

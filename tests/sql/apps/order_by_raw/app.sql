-- Streaming ORDER BY over raw rows: rows are held while FLOOR(ROWTIME TO
-- MINUTE) keeps its value, then emitted sorted by sector, then ticker
-- descending; every row of a minute leaves with that minute's latest
-- ROWTIME, so the output stays in ROWTIME order.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    sector VARCHAR(8), ticker VARCHAR(4), change DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sector VARCHAR(8), ticker VARCHAR(4), change DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM sector, ticker, change
    FROM "SOURCE_SQL_STREAM_001" AS s
    ORDER BY FLOOR(s.ROWTIME TO MINUTE), sector, ticker DESC;

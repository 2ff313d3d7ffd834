-- T-sort: re-ordering slightly late rows by event time.
CREATE OR REPLACE PUMP "SORT_PUMP" AS INSERT INTO "SORTED_STREAM"
    SELECT STREAM "event_time" AS ROWTIME, "ticker", "price"
    FROM "SOURCE_SQL_STREAM_001"
    ORDER BY "event_time" WITHIN INTERVAL '2' SECOND;

SELECT STREAM DISTINCT ROWTIME, ticker FROM trades ORDER BY ROWTIME, ticker;

SELECT STREAM FLOOR(s.ROWTIME TO HOUR) AS hr, state, SUM(amount) AS total
FROM orders AS s
GROUP BY FLOOR(s.ROWTIME TO HOUR), state
ORDER BY FLOOR(s.ROWTIME TO HOUR), state, SUM(amount) DESC;

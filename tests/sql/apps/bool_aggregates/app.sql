-- ANY and EVERY, the boolean aggregates, over a tumbling window (one row
-- per ticker and 10 seconds) and a sliding one (one row per input row,
-- the last 10 seconds of its ticker). NULLs are skipped; a window with
-- only NULLs gives NULL (AAPL's second window); rows leaving the sliding
-- window are retracted.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker VARCHAR(4), up BOOLEAN)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "PER_WINDOW" (ticker VARCHAR(4), any_up BOOLEAN, all_up BOOLEAN, n INTEGER);
CREATE OR REPLACE PUMP "WINDOW_PUMP" AS INSERT INTO "PER_WINDOW"
    SELECT STREAM ticker, ANY(up), EVERY(up), COUNT(*)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);

CREATE OR REPLACE STREAM "PER_ROW" (ticker VARCHAR(4), up BOOLEAN, any_up BOOLEAN, all_up BOOLEAN);
CREATE OR REPLACE PUMP "ROW_PUMP" AS INSERT INTO "PER_ROW"
    SELECT STREAM ticker, up, ANY(up) OVER w, EVERY(up) OVER w
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING);
